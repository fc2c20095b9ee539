"""Lead images (`image:`), images in a body, and the site's default social image: renditions
made with Pillow (a few widths, WebP and the original format, a 1200x630 card), read back here
with Pillow; the markup that shows them; the errors at the entry's line; the cache that makes a
rebuild resize nothing."""

from __future__ import annotations

import json
import re
import struct
import zlib
from io import BytesIO
from pathlib import Path

import feedparser
import pytest
from PIL import Image

from helpers import ROOT, build_out, entry_text, read, run_digest, snapshot
from digest.images import CARD, COLUMN

LEAD = '{src: photo.jpg, alt: "Delegations at the table", caption: "Istanbul, 23 July.", credit: "Photo: A. Writer"}'


def jpeg(size=(1600, 1000), colour=(200, 30, 30), **save) -> bytes:
    out = BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", quality=90, **save)
    return out.getvalue()


def png(size=(500, 300), mode="RGBA") -> bytes:
    out = BytesIO()
    Image.new(mode, size, (0, 100, 200, 128) if mode == "RGBA" else (0, 100, 200)).save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A PNG whose header says 20,000 x 20,000 pixels (400 million: past twice Pillow's limit)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")


def image_site(site, settings: str = "", **extra):
    files = {"content/2025/07/lead.md": entry_text(title="With image", image=LEAD,
                                                  body="Text.\n\n![A chart of the talks](chart.png)\n\n![Logo](/images/logo.png)\n"),
             "content/2025/07/lead/../photo.jpg": b"",
             "content/2025/07/plain.md": entry_text(title="No image", date="2025-07-22"),
             "static/images/logo.png": png((200, 100), "RGB"),
             "content/2025/07/chart.png": png()}
    del files["content/2025/07/lead/../photo.jpg"]
    files["content/2025/07/photo.jpg"] = jpeg()
    files.update(extra)
    return site(files, 'base_url = "https://owner.github.io/repo/"\n' + settings)


def opened(out: Path, url: str) -> Image.Image:
    """The written file a page's URL names, read back with Pillow."""
    image = Image.open(out / url.removeprefix("https://owner.github.io/repo/").removeprefix("/repo/"))
    image.load()
    return image


def test_the_lead_image_shows_with_its_caption_credit_and_renditions(site):
    out = build_out(image_site(site))
    page = read(out, "2025/07/lead/index.html")
    figure = page[page.index('<figure class="lead-image">'):page.index("</figure>")]
    assert '<figcaption><span class="caption">Istanbul, 23 July.</span> <span class="credit">Photo: A. Writer</span></figcaption>' in figure
    img = re.search(r"<img ([^>]+)>", figure).group(1)
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', img))
    assert attributes["alt"] == "Delegations at the table"
    assert "loading" not in attributes, "the lead image is at the top of the page: not lazy"
    # Every candidate is a file of the stated width, in the stated format; the largest fits the column.
    candidates = [c.split() for c in attributes["srcset"].split(", ")]
    assert [int(w[:-1]) for _, w in candidates] == [360, 540, 720] and 720 <= COLUMN
    for url, width in candidates:
        image = opened(out, url)
        assert image.format == "JPEG" and image.width == int(width[:-1]) and image.height == round(1000 * image.width / 1600)
    assert (attributes["width"], attributes["height"]) == ("720", "450")
    assert opened(out, attributes["src"]).size == (720, 450)
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', figure).group(1)
    for url, width in (c.split() for c in webp.split(", ")):
        image = opened(out, url)
        assert image.format == "WEBP" and image.width == int(width[:-1])
    assert 'sizes="(min-width: 756px) 720px, calc(100vw - 36px)"' in figure
    # A thumbnail in listings, lazy.
    home = read(out, "index.html")
    thumb = re.search(r'<div class="card-image">.*?<img ([^>]+)>', home, re.S).group(1)
    assert 'loading="lazy"' in thumb and 'width="360" height="225"' in thumb


def test_social_cards_feeds_and_json_ld_carry_the_image(site):
    out = build_out(image_site(site))
    page = read(out, "2025/07/lead/index.html")
    card = re.search(r'<meta property="og:image" content="([^"]+)">', page).group(1)
    assert card.startswith("https://owner.github.io/repo/static/images/photo-")
    image = opened(out, card)
    assert image.size == CARD == (1200, 630) and image.format == "JPEG"
    assert '<meta property="og:image:width" content="1200">' in page and '<meta property="og:image:height" content="630">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<meta property="og:image:alt" content="Delegations at the table">' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["image"][0] == {"@type": "ImageObject", "url": card, "width": 1200, "height": 630}
    atom = feedparser.parse(read(out, "feed.xml"))
    lead = next(e for e in atom.entries if e.title == "With image")
    assert lead.media_content[0]["url"] == card and lead.media_content[0]["width"] == "1200"
    items = json.loads(read(out, "feed.json"))["items"]
    assert [item.get("image") for item in items] == [card, None]
    plain = read(out, "2025/07/plain/index.html")
    assert "og:image" not in plain and '<meta name="twitter:card" content="summary">' in plain


def test_images_in_a_body_get_their_size_renditions_and_lazy_loading(site):
    out = build_out(image_site(site))
    body = read(out, "2025/07/lead/index.html").split('<div class="body">')[1]
    chart = re.search(r'<img ([^>]*alt="A chart of the talks"[^>]*)>', body).group(1)
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', chart))
    assert (attributes["width"], attributes["height"], attributes["loading"]) == ("500", "300", "lazy")
    assert opened(out, attributes["src"]).size == (500, 300) and opened(out, attributes["src"]).format == "PNG"
    assert [c.split()[1] for c in attributes["srcset"].split(", ")] == ["360w", "500w"]
    assert attributes["sizes"] == "(min-width: 536px) 500px, calc(100vw - 36px)"  # no wider than itself
    assert opened(out, attributes["src"]).mode == "RGBA", "transparency kept"
    logo = dict(re.findall(r'(\w+)="([^"]*)"', re.search(r'<img ([^>]*alt="Logo"[^>]*)>', body).group(1)))
    assert (logo["width"], logo["height"]) == ("200", "100") and "srcset" not in logo
    assert opened(out, logo["src"]).size == (200, 100)


def test_an_image_never_grows_and_the_largest_rendition_fits_the_content_column(site):
    out = build_out(image_site(site, **{"content/2025/07/photo.jpg": jpeg((3000, 2000))}))
    for path in (out / "static" / "images").iterdir():
        with Image.open(path) as image:
            assert image.width <= COLUMN or image.size == CARD, path.name


def test_the_column_is_the_width_the_stylesheet_gives_the_content():
    css = (ROOT / "themes" / "default" / "static" / "style.css").read_text()
    measure = float(re.search(r"--measure:\s*([0-9.]+)rem", css).group(1))
    root_size = 16 * float(re.search(r":root \{[^}]*font-size:\s*([0-9.]+)%", css, re.S).group(1)) / 100
    padding = float(re.search(r"\.wrap \{[^}]*padding: 0 ([0-9.]+)rem", css).group(1))
    assert COLUMN == round((measure - 2 * padding) * root_size)


def test_a_rebuild_resizes_nothing_and_the_same_content_gives_the_same_bytes(site, tmp_path):
    root = image_site(site)
    first = run_digest(root, "build", "--no-search")
    assert first.returncode == 0 and re.search(r"\d+ image renditions \((\d+) resized now\)", first.stdout).group(1) != "0"
    before = snapshot(root / "output")
    (root / "content" / "2025" / "07" / "lead.md").touch()
    second = run_digest(root, "build", "--no-search")
    assert "(0 resized now)" in second.stdout, second.stdout
    assert snapshot(root / "output") == before
    # A cold build elsewhere gives the same bytes.
    third = run_digest(root, "build", "--no-search", "--no-cache", "--output", "cold")
    assert third.returncode == 0 and snapshot(root / "cold") == before


def test_a_changed_image_is_read_again_and_resized(site):
    root = image_site(site)
    out = build_out(root)
    old = {p.name for p in (out / "static" / "images").iterdir()}
    (root / "content" / "2025" / "07" / "photo.jpg").write_bytes(jpeg((1200, 900), (10, 200, 10)))
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 0 and "(0 resized now)" not in result.stdout
    page = read(out, "2025/07/lead/index.html")
    src = re.search(r'<figure class="lead-image">.*?<img src="([^"]+)"', page, re.S).group(1)
    assert Path(src).name not in old and opened(out, src).size == (720, 540)
    assert opened(out, src).getpixel((5, 5))[1] > 150


def test_renditions_carry_no_metadata(site):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    root = image_site(site, **{"content/2025/07/photo.jpg": jpeg(exif=exif.tobytes())})
    out = build_out(root)
    for path in (out / "static" / "images").glob("photo-*"):
        with Image.open(path) as image:
            assert not image.getexif(), path.name


def test_the_default_image_is_the_social_card_of_pages_without_one(site):
    out = build_out(image_site(site, 'default_image = "/images/card.jpg"\ndefault_image_alt = "The site logo"\n',
                               **{"static/images/card.jpg": jpeg((1300, 700), (0, 0, 0))}))
    plain = read(out, "2025/07/plain/index.html")
    card = re.search(r'<meta property="og:image" content="([^"]+)">', plain).group(1)
    assert opened(out, card).size == (1200, 630)
    assert '<meta name="twitter:card" content="summary_large_image">' in plain and "The site logo" in plain
    assert f'<meta property="og:image" content="{card}">' in read(out, "index.html")
    assert card not in read(out, "2025/07/lead/index.html"), "an entry's own image comes first"
    assert len(list((out / "static" / "images").glob("card-*"))) == 1, "only the card is made of it"


def test_an_svg_is_published_as_it_is_with_its_size(site):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"><rect width="300" height="150"/></svg>'
    out = build_out(site({"content/a.md": entry_text(image='{src: map.svg, alt: "A map"}'), "content/map.svg": svg}))
    page = read(out, "2025/07/a/index.html")
    img = re.search(r'<figure class="lead-image">.*?<img ([^>]+)>', page, re.S).group(1)
    assert 'width="300" height="150"' in img and ".svg" in img
    assert "og:image" not in page, "no card from an SVG"


def test_a_decorative_image_has_an_empty_alt_written_on_purpose(site):
    out = build_out(site({"content/a.md": entry_text(image='{src: p.jpg, alt: ""}'), "content/p.jpg": jpeg()}))
    assert 'height="450" alt="">' in read(out, "2025/07/a/index.html")


def errors(site, image: str, files: dict | None = None, body: str = "Body.") -> list[str]:
    root = site({"content/a.md": entry_text(image=image, body=body), **(files or {})})
    result = run_digest(root, "build", "--no-search", "--output", "out")
    assert result.returncode == 1, result.stdout
    assert not (root / "out").exists()
    return [line for line in result.stderr.splitlines() if line.startswith("content/")]


@pytest.mark.parametrize("image, files, message", [
    ('{src: gone.jpg, alt: x}', {}, "content/a.md:6: image.src: no file content/gone.jpg; check the name, or put the image there"),
    ('{src: /gone.jpg, alt: x}', {}, "content/a.md:6: image.src: no file static/gone.jpg; check the name, or put the image there"),
    ('{src: notes.jpg, alt: x}', {"content/notes.jpg": "just text"},
     "content/a.md:6: image.src: content/notes.jpg is not an image digest can read; use a JPEG, PNG, GIF, WebP or SVG file"),
    ('{src: bomb.png, alt: x}', {"content/bomb.png": bomb()},
     "content/a.md:6: image.src: content/bomb.png holds more than 89,478,485 pixels, Pillow's limit against "
     "decompression bombs; scale the image down (a page needs at most a few million)"),
    ('{src: evil.svg, alt: x}', {"content/evil.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                                     '<script>alert(1)</script></svg>'},
     "content/a.md:6: image.src: content/evil.svg is an SVG holding a <script> element, which can run script; "
     "remove it (or export the image again as a plain SVG, PNG or JPEG)"),
    ('{src: click.svg, alt: x}', {"content/click.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
                                                       'onload="alert(1)"/>'},
     "content/a.md:6: image.src: content/click.svg is an SVG with a script in its onload attribute; remove it"),
    ('{src: "https://example.org/a.jpg", alt: x}', {},
     "content/a.md:6: image.src: 'https://example.org/a.jpg' is on another host; the site loads nothing from another "
     "host: save the image beside the entry (or in static/) and give its path"),
    ('{src: ../../etc/passwd, alt: x}', {},
     "content/a.md:6: image.src: '../../etc/passwd' leads out of the content/ and static/ folders; keep the image "
     "beside the entry or in static/"),
    ('{src: a.jpg}', {}, "content/a.md:6: image.alt: required key is missing: add 'alt:' under 'image:' (what the image "
                         "shows, for readers who cannot see it; alt: \"\" marks an image as decorative)"),
    ("\n  src: a.jpg\n  alt:\n", {}, "content/a.md:8: image.alt: alt is empty: say what the image shows, or write "
                                     "alt: \"\" (quoted) to mark it as decorative"),
    ("photo.jpg", {}, "content/a.md:6: image: expected a mapping with src and alt, such as image: {src: talks.jpg, "
                      "alt: \"Delegations at the table in Istanbul\"}, got 'photo.jpg'"),
])
def test_a_bad_image_is_an_error_at_the_entry_s_line(site, image, files, message):
    assert errors(site, image, files) == [message]


def test_a_bad_image_in_a_body_is_an_error_at_its_line(site):
    found = errors(site, '{src: p.jpg, alt: x}', {"content/p.jpg": jpeg(), "content/fake.png": "not a png"},
                   body="One.\n\nTwo.\n\n![A figure](fake.png)\n")
    assert found == ["content/a.md:12: body: content/fake.png is not an image digest can read; use a JPEG, PNG, GIF, "
                     "WebP or SVG file"]


def test_pages_with_what_they_load_stay_within_60_kb_before_images(site):
    """The site-weight budget: the home page and an entry page, with the stylesheet, icon and
    any script they load, at most 60 KB; images are counted apart."""
    out = build_out(image_site(site))
    for page in ("index.html", "2025/07/lead/index.html"):
        html = read(out, page)
        loaded = re.findall(r'<(?:link[^>]+href|script[^>]+src)="/repo/([^"]+)"', html)
        assert loaded, page
        total = len(html.encode()) + sum((out / path).stat().st_size for path in loaded)
        assert total <= 60 * 1024, (page, total, loaded)
