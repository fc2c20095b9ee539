"""`digest serve` shows images as `digest build` writes them: the same renditions (kept in
memory, nothing written to the cache folder), and an image saved anew while serving is read
again, resized and served, though its entry's file did not change."""

from __future__ import annotations

import re
from io import BytesIO

from PIL import Image

from helpers import entry_text, run_digest


def photo(colour) -> bytes:
    out = BytesIO()
    Image.new("RGB", (1000, 600), colour).save(out, "JPEG", quality=90)
    return out.getvalue()


def test_the_preview_serves_the_renditions_build_writes_and_follows_an_edited_image(site, serve):
    root = site({"content/2025/07/a.md": entry_text(image='{src: a.jpg, alt: "A photo"}'),
                 "content/2025/07/a.jpg": photo((200, 0, 0))})
    server = serve(root)
    page = server.wait_for("/2025/07/a/", "A photo").decode()
    src = re.search(r'<figure class="lead-image">.*?<img src="([^"]+)"', page, re.S).group(1)
    status, headers, served = server.get(src)
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    assert not (root / ".digest-cache").exists(), "the preview writes no cache"
    result = run_digest(root, "build", "--no-search", "--base-url", server.url)
    assert result.returncode == 0, result.stderr
    assert (root / "output" / src.lstrip("/")).read_bytes() == served

    (root / "content/2025/07/a.jpg").write_bytes(photo((0, 0, 200)))
    server.wait_line(lambda line: "content/2025/07/a.jpg changed" in line and ": rebuilt " in line)
    page = server.get("/2025/07/a/")[2].decode()
    new_src = re.search(r'<figure class="lead-image">.*?<img src="([^"]+)"', page, re.S).group(1)
    assert new_src != src
    with Image.open(BytesIO(server.get(new_src)[2])) as image:
        assert image.getpixel((10, 10))[2] > 150, "the new image's blue"
