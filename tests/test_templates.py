"""Template hygiene that Django does not check: a {# #} comment is one line only, and a
longer one is printed on the page as text."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_no_template_has_a_comment_that_would_show_as_text() -> None:
    shown = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if any("\n" in m for m in re.findall(r"\{#(.*?)#\}", path.read_text(), re.S))
    ]
    assert shown == []
