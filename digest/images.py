"""Image files -> Picture records: what a page needs to show an image (its renditions' paths
and sizes), read from the file's header, never from a guess.

An entry's lead image (`image:`), an image in its body, and the site's default social image
are each checked here: the file exists inside the content or static folder, is a JPEG, PNG,
GIF, WebP or SVG image, is no decompression bomb, and (an SVG) holds no script. The
renditions themselves (resized copies in WebP and the original format, and a 1200x630
social card) are made later, once, by renditions.py; a Picture names them by the image's
content hash, so the same bytes always give the same files.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import warnings
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from .config import SETTINGS_FILE, STATIC_DIR, Config
from .errors import Problem

# The default theme's content column: `--measure` (42rem) less the page's side padding
# (2 x 1rem), at its root font size of 112.5% (18 px): 756 - 36 = 720 CSS px. The largest
# rendition of an image is this wide: a wider one would only be scaled down by the browser
# (tests/test_images.py reads the stylesheet and checks the two agree).
COLUMN = 720
WIDTHS = (360, 540, COLUMN)     # rendition widths, in CSS px; never wider than the image itself
THUMBNAIL = 360                 # the rendition listings show
CARD = (1200, 630)              # the social card: Facebook's and X's size for a large preview
CARD_MIN = (600, 315)           # smaller images make no card (Facebook's smallest large preview)
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "png", "WEBP": "webp"}   # raster format -> its renditions' extension
MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "svg": "image/svg+xml"}
OUTPUT_FOLDER = "static/images"
MAX_BYTES = 50 * 1024 * 1024    # an image file larger than this is refused before it is read
ACCEPTED = "JPEG, PNG, GIF, WebP or SVG"


class ImageUse(NamedTuple):
    """Where an image is shown first, for a message about it: a file, its line, the field."""

    path: str
    line: int | None
    field: str


class ImageError(ValueError):
    """Why an image cannot be used, as a message for its entry's line."""


@dataclass(frozen=True)
class Rendition:
    path: str                   # output path, site-relative: static/images/<stem>-<hash>-720.webp
    width: int
    height: int
    crop: tuple[int, int, int, int] | None = None   # box of the source it shows (the card), else all of it

    @property
    def extension(self) -> str:
        return self.path.rsplit(".", 1)[1]

    @property
    def mime(self) -> str:
        return MIME[self.extension]


@dataclass(frozen=True)
class Picture:
    """One image file as pages show it. `fallback` holds the renditions in the original
    format (PNG for a GIF; the file itself for an SVG), `webp` the same widths in WebP
    (none for a WebP or an SVG original), both narrowest first; `card` the 1200x630 social
    card, if the image is large enough for one."""

    source: str                 # the file, from the site root: content/2025/07/a.jpg, static/images/b.png
    digest: str                 # blake2b of its bytes, hex
    width: int                  # of the image as shown (EXIF rotation applied)
    height: int
    format: str                 # JPEG, PNG, GIF, WEBP or SVG
    fallback: tuple[Rendition, ...]
    webp: tuple[Rendition, ...] = ()
    card: Rendition | None = None
    # The file's (size, mtime_ns) when read: a cached entry is read again when it changed.
    stat: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    @property
    def largest(self) -> Rendition:
        return self.fallback[-1]

    @property
    def thumbnail(self) -> Rendition:
        """The narrowest rendition at least THUMBNAIL wide, else the largest."""
        return next((r for r in self.fallback if r.width >= THUMBNAIL), self.largest)

    @property
    def thumbnail_webp(self) -> Rendition | None:
        return next((r for r in self.webp if r.width == self.thumbnail.width), None)

    @property
    def sizes(self) -> str:
        """`sizes` for its srcset: the column's width on a wide screen (or the image's own, when
        narrower), else the screen less the page's padding."""
        shown = min(self.largest.width, COLUMN)
        return f"(min-width: {shown + 36}px) {shown}px, calc(100vw - 36px)"

    @property
    def renditions(self) -> tuple[Rendition, ...]:
        # (The default image's fallback is its card: once.)
        return tuple(dict.fromkeys(self.fallback + self.webp + ((self.card,) if self.card else ())))

    @property
    def share(self) -> Rendition:
        """The rendition feeds and cards carry: the social card, else the largest."""
        return self.card or self.largest


@dataclass(frozen=True)
class LeadImage:
    """An entry's `image:` as written: where the file is and what it shows."""

    src: str                    # as written
    alt: str                    # "" only when the author wrote `alt: ""` (a decorative image)
    caption: str | None = None
    credit: str | None = None
    picture: Picture | None = None   # filled in when the file is read (entries.read_entry)

    @property
    def decorative(self) -> bool:
        return self.alt == ""


# --- where an image file is -------------------------------------------------------------

SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*:", re.IGNORECASE)


def is_remote(src: str) -> bool:
    return bool(SCHEME.match(src)) or src.startswith("//")


def image_file(src: str, entry_path: str, config: Config) -> str:
    """The site-root-relative file an entry's image `src` names: `/images/a.jpg` is in the
    site's static folder (published at /images/a.jpg), anything else is beside the entry.
    ImageError when it names another host, or a place outside the content and static folders."""
    if is_remote(src):
        raise ImageError(f"'{src}' is on another host; the site loads nothing from another host: "
                         f"save the image beside the entry or in {STATIC_DIR}/ and give its path")
    if "?" in src or "#" in src or "\\" in src:
        raise ImageError(f"'{src}' is not a plain file path (it holds '?', '#' or '\\'); give the file's path, "
                         "such as photo.jpg beside the entry")
    path = unquote(src)
    if path.startswith("/"):
        folder, relative = STATIC_DIR, path.lstrip("/")
    else:
        folder, relative = posixpath.dirname(entry_path), path
    joined = posixpath.normpath(posixpath.join(folder, relative))
    # Resolved, so that `..` and symlinked folders are judged where they lead, and a content
    # folder outside the site (content_dir = "../news") is one too.
    root = Path(config.root)
    where = (root / joined).resolve()
    if not any(where.is_relative_to((root / top).resolve()) for top in (config.content_dir, STATIC_DIR)):
        raise ImageError(f"'{src}' leads out of the {config.content_dir}/ and {STATIC_DIR}/ folders; "
                         f"keep the image beside the entry or in {STATIC_DIR}/")
    return joined


# --- reading an image file ---------------------------------------------------------------

def probe(file: str, config: Config) -> Picture:
    """The Picture of the image at `file` (from the site root), its renditions planned."""
    path = Path(config.root) / file
    try:
        if path.is_symlink() and not path.resolve().is_relative_to(Path(config.root).resolve()):
            raise ImageError(f"'{file}' is a symlink leading out of the site; copy the image into the site")
        info = os.stat(path)
        if not path.is_file():
            raise ImageError(f"'{file}' is not a file")
        if info.st_size > MAX_BYTES:
            raise ImageError(f"'{file}' is {info.st_size / 1048576:.0f} MB; an image may have at most "
                             f"{MAX_BYTES // 1048576} MB: save it smaller")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageError(f"no file {file}; check the name, or put the image there") from None
    except OSError as error:
        raise ImageError(f"cannot read {file}: {error.strerror}") from None
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()
    stat = (info.st_size, info.st_mtime_ns)
    if _looks_like_svg(data):
        width, height = svg_size(data, file)
        return Picture(file, digest, width, height, "SVG", (Rendition(output_name(file, digest, "", "svg"), width, height),),
                       stat=stat)
    kind, width, height = raster_size(data, file)
    return plan(file, digest, kind, width, height, stat)


def output_name(file: str, digest: str, suffix: str, extension: str) -> str:
    """`static/images/<stem>-<10 hex of the content hash><suffix>.<ext>`: the same bytes give
    the same name, so a rendition is made once and a changed image never hits a stale cache."""
    stem = re.sub(r"[^a-z0-9]+", "-", Path(file).stem.lower()).strip("-")[:40] or "image"
    return f"{OUTPUT_FOLDER}/{stem}-{digest[:10]}{suffix}.{extension}"


def plan(file: str, digest: str, kind: str, width: int, height: int, stat: tuple = (0, 0)) -> Picture:
    """The renditions of a raster image: each of WIDTHS narrower than it, and its own width
    when that is at most COLUMN (never wider than the image: no upscaling); the social card."""
    widths = [w for w in WIDTHS if w < width] + ([width] if width <= COLUMN else [])
    extension = FORMATS[kind]
    sized = [(w, max(1, round(height * w / width))) for w in widths]
    fallback = tuple(Rendition(output_name(file, digest, f"-{w}", extension), w, h) for w, h in sized)
    webp = tuple(Rendition(output_name(file, digest, f"-{w}", "webp"), w, h) for w, h in sized) if kind != "WEBP" else ()
    card = None
    if width >= CARD_MIN[0] and height >= CARD_MIN[1]:
        card_extension = "png" if kind in ("PNG", "GIF") else "jpg"
        card = Rendition(output_name(file, digest, "-card", card_extension), *CARD, crop=cover_box(width, height))
    return Picture(file, digest, width, height, kind, fallback, webp, card, stat)


def cover_box(width: int, height: int) -> tuple[int, int, int, int]:
    """The largest centred box of the card's shape (1.91:1) inside the image."""
    target = CARD[0] / CARD[1]
    if width / height > target:
        cut = round(height * target)
        left = (width - cut) // 2
        return (left, 0, left + cut, height)
    cut = round(width / target)
    top = (height - cut) // 2
    return (0, top, width, top + cut)


def raster_size(data: bytes, file: str) -> tuple[str, int, int]:
    """(format, width, height) from the header, EXIF rotation applied; ImageError for a file
    that is no image of ACCEPTED, or a decompression bomb (more than Pillow's MAX_IMAGE_PIXELS)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS and refuses past twice that: both are refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as image:
                kind, (width, height) = image.format, image.size
                if kind == "JPEG" and image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                    width, height = height, width   # rotated a quarter turn by its EXIF orientation
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{file} holds more than {Image.MAX_IMAGE_PIXELS:,} pixels, Pillow's limit against "
                         "decompression bombs; scale the image down (a page needs at most a few million)") from None
    except UnidentifiedImageError:
        raise ImageError(f"{file} is not an image digest can read; use a {ACCEPTED} file") from None
    except (OSError, SyntaxError, ValueError) as error:  # a damaged header
        raise ImageError(f"{file} is a damaged image ({error}); save it again as {ACCEPTED}") from None
    if kind not in FORMATS:
        raise ImageError(f"{file} is a {kind} image; save it as {ACCEPTED}")
    return kind, width, height


# --- SVG --------------------------------------------------------------------------------

def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in data[:4096].lower()


# What makes an SVG run code when opened as a page of its own (it does not inside <img>, but
# its URL can be opened, and it is served from the site's origin).
SCRIPT_ELEMENTS = {"script", "foreignobject", "handler", "listener"}
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.IGNORECASE)
LENGTH = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(px)?\s*$")


def svg_size(data: bytes, file: str) -> tuple[int, int]:
    """(width, height) of a safe SVG: from its width and height in px, else its viewBox.
    ImageError for a script, an event handler, a javascript: link, an entity declaration."""
    import xml.etree.ElementTree as ET

    if b"<!ENTITY" in data or b"<!entity" in data:
        raise ImageError(f"{file} declares XML entities, which digest refuses in an SVG (they can expand "
                         "without end); remove the DOCTYPE")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ImageError(f"{file} is not a well-formed SVG ({error}); save it again") from None
    if _local(root.tag) != "svg":
        raise ImageError(f"{file} is XML but not an SVG image; use a {ACCEPTED} file")
    for element in root.iter():
        name = _local(element.tag).lower()
        if name in SCRIPT_ELEMENTS:
            raise ImageError(f"{file} is an SVG holding a <{_local(element.tag)}> element, which can run script; "
                             "remove it (or export the image again as a plain SVG, PNG or JPEG)")
        for attribute, value in element.attrib.items():
            local = _local(attribute).lower()
            if local.startswith("on"):
                raise ImageError(f"{file} is an SVG with a script in its {_local(attribute)} attribute; remove it")
            if SCRIPT_URL.match(value) and local in ("href", "src", "values", "to", "from", "by"):
                raise ImageError(f"{file} is an SVG with a script link ({value.strip()[:30]}); remove it")
    width, height = (_length(root.get("width")), _length(root.get("height")))
    if width is None or height is None:
        box = (root.get("viewBox") or "").replace(",", " ").split()
        try:
            box_width, box_height = float(box[2]), float(box[3])
        except (IndexError, ValueError):
            box_width = box_height = 0.0
        if box_width <= 0 or box_height <= 0:
            raise ImageError(f"{file} is an SVG without a size: give its <svg> width and height in px, or a viewBox")
        if width is None and height is None:
            width, height = box_width, box_height
        elif width is None:
            width = height * box_width / box_height
        else:
            height = width * box_height / box_width
    return max(1, round(width)), max(1, round(height))


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _length(text: str | None) -> float | None:
    match = LENGTH.match(text or "")
    return float(match.group(1)) if match and float(match.group(1)) > 0 else None


# --- a cached entry's images, read again when their files change -------------------------

def unchanged(picture: Picture, config: Config) -> bool:
    """Whether the file still holds the bytes the picture was made from: by its stat, else by
    its content hash (a file copied over with the same bytes)."""
    path = Path(config.root) / picture.source
    try:
        info = os.stat(path)
        if (info.st_size, info.st_mtime_ns) == picture.stat:
            return True
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest() == picture.digest
    except OSError:
        return False


# --- the site's default social image -------------------------------------------------------

def read_default_image(config: Config) -> tuple[LeadImage | None, list[Problem]]:
    """The `default_image` setting's image, read, and the problems with it (at the setting)."""
    if not config.default_image:
        return None, []
    src = "/" + config.default_image.lstrip("/")
    try:
        picture = probe(image_file(src, "", config), config)
    except ImageError as error:
        return None, [Problem(SETTINGS_FILE, None, "tool.digest.default_image", str(error))]
    if picture.card is None:
        return None, [Problem(SETTINGS_FILE, None, "tool.digest.default_image",
                              f"{picture.source} is {picture.width}x{picture.height} pixels; a social card needs at "
                              f"least {CARD_MIN[0]}x{CARD_MIN[1]} (1200x630 is best)")]
    # Only its card is shown (in social previews): no other rendition is made of it.
    return LeadImage(src, config.default_image_alt, picture=replace(picture, fallback=(picture.card,), webp=())), []
