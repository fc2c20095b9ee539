"""A small site using every newsroom feature (footnotes, lead images, updates and corrections,
aliases), for the checkers that read whole pages: the Nu HTML checker and axe-core."""

from __future__ import annotations

from pathlib import Path

from helpers import entry_text, write_site

FOOTNOTED = ("Peskov said talks could resume.[^1] Kyiv disagreed.[^kyiv] He repeated it.[^1]\n\n"
             "[^1]: Interview on state television, 23 July.\n[^kyiv]: Statement of the foreign ministry.\n")

CORRECTIONS = ("\n  - date: 2025-07-25\n    text: An earlier version misnamed the ministry."
               "\n  - date: 2025-07-26T08:00:00+00:00\n    text: The interview was on 22 July, not 23 July.")


def photo(size: tuple[int, int] = (1600, 1000)) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", size, (120, 40, 40)).save(out, "JPEG", quality=85)
    return out.getvalue()


def newsroom_site(root: Path, base_url: str = "https://owner.github.io/repo/") -> Path:
    files = {
        "content/2025/07/pictured.md": entry_text(
            title="Pictured", date="2025-07-22", tags="[Ukraine]",
            image='{src: talks.jpg, alt: "Delegations at the table", caption: "Istanbul.", credit: "Photo: A. Writer"}',
            body="Before the figure.\n\n![A chart of the talks](chart.jpg)\n\nAfter it."),
        "content/2025/07/talks.jpg": photo(),
        "content/2025/07/chart.jpg": photo((500, 300)),
        "content/2025/07/first.md": entry_text(title="Footnoted first", tags="[Russia, Ukraine]", body=FOOTNOTED,
                                               aliases="[/2025/06/first-draft/, /old/first.html]"),
        "content/2025/07/second.md": entry_text(title="Footnoted second", date="2025-07-24", tags="[Russia]",
                                                body=FOOTNOTED, updated="2025-07-25", corrections=CORRECTIONS),
    }
    return write_site(root, files, f'title = "Newsroom"\nbase_url = "{base_url}"\n')
