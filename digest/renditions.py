"""Pictures -> rendition files: each image resized (Pillow) to the widths and formats its
Picture plans, and its social card cropped, once. A rendition is named by the image's content
hash (images.output_name), so what a build made is kept in the cache folder and any later
build that needs the same file takes it from there: a rebuild resizes nothing. `digest serve`
keeps them in memory instead, writing nothing outside its preview folder."""

from __future__ import annotations

import os
import pickle
import tempfile
import warnings
import math
from io import BytesIO
from pathlib import Path
from typing import Sequence

from .cache import CACHE_DIR
from .config import Config
from .errors import DigestError, Problem
from .images import ImageUse, Picture, Rendition
from .render import Page, StaticFile, digest_of
from .workers import batches, ordered_map, worker_count

INDEX = "index.pickle"
# Encoder settings: part of what a rendition is (a change makes new files, see RenditionStore).
QUALITY = {"jpg": 82, "webp": 80}
SETTINGS = repr(("v2", QUALITY, "LANCZOS, from the next wider", "progressive", "webp-method-4"))


class RenditionStore:
    """Renditions made by earlier builds, by file name, in `.digest-cache/images/` (enabled),
    or in memory for this process alone (digest serve). The index holds each one's digest
    (what the output records compare) and is saved after a build that succeeds.
    read_cache: in memory, and reading (never writing) the renditions the cache folder holds,
    each taken only if its bytes still have the digest its index gives."""

    def __init__(self, config: Config, enabled: bool = True, read_cache: bool = False):
        self.folder = config.root / CACHE_DIR / "images"
        self.enabled = enabled
        self.memory: dict[str, bytes] = {}
        self.index: dict[str, bytes] = {}
        self.used: dict[str, bytes] = {}
        if enabled or read_cache:
            try:
                with open(self.folder / INDEX, "rb") as file:
                    stored = pickle.load(file)
                if stored.get("settings") == SETTINGS:
                    self.index = stored["files"]
            except (OSError, pickle.PickleError, EOFError, AttributeError, KeyError, TypeError, ValueError):
                self.index = {}

    def known(self, rendition: Rendition) -> Page | StaticFile | None:
        name = Path(rendition.path).name
        if not self.enabled:
            data = self.memory.get(name)
            if data is None:
                data = self._stored(name)
                if data is None:
                    return None
                self.memory[name] = data
            return Page(rendition.path, data)
        digest = self.index.get(name)
        if digest is None or not (self.folder / name).is_file():
            return None
        self.used[name] = digest
        return StaticFile(rendition.path, str(self.folder / name), digest)

    def _stored(self, name: str) -> bytes | None:
        """The bytes of a rendition in the cache folder, if they are those its index names."""
        digest = self.index.get(name)
        if digest is None:
            return None
        try:
            data = (self.folder / name).read_bytes()
        except OSError:
            return None
        return data if digest_of(data) == digest else None

    def put(self, rendition: Rendition, data: bytes) -> Page | StaticFile:
        name = Path(rendition.path).name
        if not self.enabled:
            self.memory[name] = data
            return Page(rendition.path, data)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".part-")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, self.folder / name)
        except OSError:
            return Page(rendition.path, data)  # no cache: made again next time
        digest = digest_of(data)
        self.index[name] = self.used[name] = digest
        return StaticFile(rendition.path, str(self.folder / name), digest)

    def keep_only(self, names: set[str]) -> None:
        """In memory: forget renditions no page uses any more."""
        self.memory = {name: data for name, data in self.memory.items() if name in names}

    def save(self) -> None:
        """Keep the renditions this build used; remove the rest from the folder."""
        if not self.enabled or not self.folder.is_dir():
            return
        try:
            for path in self.folder.iterdir():
                if path.name != INDEX and path.name not in self.used:
                    path.unlink()
            with open(self.folder / (INDEX + ".part"), "wb") as file:
                pickle.dump({"settings": SETTINGS, "files": self.used}, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(self.folder / (INDEX + ".part"), self.folder / INDEX)
        except OSError:
            pass  # a cache that cannot be kept only costs the next build time


def rendition_pages(pictures: dict[str, tuple[Picture, ImageUse]], config: Config, store: RenditionStore,
                    jobs: int | None = 1) -> tuple[list[Page | StaticFile], int]:
    """Every rendition of the pictures (source file -> its Picture and first user), in path
    order, and how many were made (resized) now; the rest the store had."""
    found: dict[str, Page | StaticFile] = {}
    todo: list[tuple[Picture, ImageUse, tuple[Rendition, ...]]] = []
    for picture, user in pictures.values():
        missing = []
        for rendition in picture.renditions:
            if rendition.path in found:
                continue
            known = store.known(rendition)
            if known is None:
                missing.append(rendition)
            else:
                found[rendition.path] = known
        if missing:
            todo.append((picture, user, tuple(missing)))
    made = 0
    if todo:
        workers = worker_count(jobs, len(todo) * 8)  # a picture's renditions cost as much as eight pages
        for results in ordered_map(_make_batch, batches(todo, workers, 2), workers, str(config.root)):
            for item in results:
                if isinstance(item, Problem):
                    raise DigestError([item])
                rendition, data = item
                found[rendition.path] = store.put(rendition, data)
                made += 1
    if not store.enabled:
        store.keep_only({Path(path).name for path in found})
    return [found[path] for path in sorted(found)], made


def _make_batch(batch: Sequence[tuple[Picture, ImageUse, tuple[Rendition, ...]]]) -> list:
    """In a worker (or here): shared() is the site root. Problems come back as values."""
    from .workers import shared

    root = Path(shared())
    results: list = []
    for picture, user, renditions in batch:
        try:
            results += list(zip(renditions, make_renditions(root / picture.source, picture, renditions)))
        except RenditionError as error:
            results.append(Problem(user.path, user.line, user.field, str(error)))
    return results


class RenditionError(ValueError):
    pass


def make_renditions(path: Path, picture: Picture, renditions: Sequence[Rendition]) -> list[bytes]:
    """The bytes of each rendition of the image file at path, decoded once."""
    from PIL import Image, ImageOps

    try:
        data = path.read_bytes()
    except OSError as error:
        raise RenditionError(f"cannot read {picture.source}: {error.strerror}") from None
    if digest_of(data).hex() != picture.digest:
        raise RenditionError(f"{picture.source} changed while building; build again")
    if picture.format == "SVG":
        return [data for _ in renditions]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as opened:
                if opened.format == "JPEG":
                    # Decode at 1/2, 1/4 or 1/8 of the size when even the largest rendition
                    # needs no more: a photo from a camera decodes several times faster.
                    scale = max(r.width / ((r.crop[2] - r.crop[0]) if r.crop else picture.width) for r in renditions)
                    opened.draft("RGB", (math.ceil(opened.width * scale), math.ceil(opened.height * scale)))
                image = ImageOps.exif_transpose(opened)
                image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise RenditionError(f"{picture.source} cannot be decoded ({error}); save it again as JPEG, PNG or WebP") from None
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if alpha else "RGB")
    ratio = image.width / picture.width  # below 1 when decoded smaller (draft)
    resized = resize_all(image, renditions, ratio)
    return [encode(resized[(rendition.crop, rendition.width, rendition.height)], rendition, alpha)
            for rendition in renditions]


def resize_all(image, renditions: Sequence[Rendition], ratio: float) -> dict:
    """Each (crop, width, height) the renditions need, resized once (a WebP and a JPEG of one
    width share it), widest first, each narrower one from the one before it: resampling 720
    px down to 360 costs a quarter of resampling the original, and Lanczos over a factor of
    two or less loses nothing a reader sees."""
    from PIL import Image

    sizes = sorted({(r.crop, r.width, r.height) for r in renditions}, key=lambda size: (size[0] is not None, -size[1]))
    made: dict = {}
    previous = None
    for crop, width, height in sizes:
        if crop is not None:
            source = image.crop(tuple(round(edge * ratio) for edge in crop))
        else:
            source = previous if previous is not None and previous.width <= 2 * width else image
        made[(crop, width, height)] = source if source.size == (width, height) else \
            source.resize((width, height), Image.Resampling.LANCZOS)
        if crop is None:
            previous = made[(crop, width, height)]
    return made


def encode(source, rendition: Rendition, alpha: bool) -> bytes:
    """One rendition, resized already (resize_all), encoded without metadata (no EXIF: a
    photo's GPS position is not published)."""
    out = BytesIO()
    extension = rendition.extension
    if extension == "jpg":
        source = source.convert("RGB") if alpha else source
        source.save(out, "JPEG", quality=QUALITY["jpg"], progressive=True)
    elif extension == "webp":
        source.save(out, "WEBP", quality=QUALITY["webp"], method=4)
    else:
        source.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()
