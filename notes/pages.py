"""The lecture notes as pages: one Markdown file per § in `notes/content/<n>.md`.

A file starts with a header between `---` lines (``title``: the English heading,
``original``: the heading of the original, partly Hinglish notes, ``quote``: a line of
them), then the body: Markdown with $LaTeX$, each subsection anchored with
``{#s<n>-<name>}``. The page itself is anchored ``#s<n>``; every "§N" in course text
links there (`link_sections`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.urls import reverse

from exercises.rendering import render_page

CONTENT_DIR = Path(__file__).resolve().parent / "content"
_HEADER_KEYS = ("title", "original", "quote")


class NotesError(Exception):
    """A malformed notes file; the message names it."""


@dataclass(frozen=True)
class NotePage:
    number: int
    title: str
    original: str  # the heading as the original notes have it
    quote: str
    body_html: str

    @property
    def anchor(self) -> str:
        return f"s{self.number}"

    @property
    def url(self) -> str:
        return section_url(self.number)


def _parse(path: Path) -> NotePage:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.DOTALL)
    if match is None:
        raise NotesError(f"{path}: must start with a '---' header")
    header: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            header[key.strip()] = value.strip()
    missing = [k for k in _HEADER_KEYS if not header.get(k)]
    if missing:
        raise NotesError(f"{path}: the header needs {', '.join(missing)}")
    return NotePage(
        number=int(path.stem),
        title=header["title"],
        original=header["original"],
        quote=header["quote"],
        body_html=render_page(match.group(2)),
    )


@cache
def note_pages() -> dict[int, NotePage]:
    """Every page, by § number (read once per process: the files ship with the code)."""
    paths = sorted(CONTENT_DIR.glob("*.md"), key=lambda p: int(p.stem))
    return {page.number: page for page in map(_parse, paths)}


def section_url(number: int) -> str:
    return f"{reverse('notes:page', args=[number])}#s{number}"


def sections_of(text: str) -> list[int]:
    """The § numbers named by a section field ("4", "3, 5", "7–8", "1–8"), in order."""
    numbers: list[int] = []
    for first, last in re.findall(r"(\d+)(?:\s*[–-]\s*(\d+))?", text):
        stop = int(last) if last else int(first)
        numbers.extend(n for n in range(int(first), stop + 1) if n not in numbers)
    return numbers


# "§4", "§ 4", "§7–8", "§3, 5", "§3 and 5": the § sign, then numbers joined by a dash,
# a comma or "and". Each number that has a page becomes a link to it.
_SECTION_REF = re.compile(r"§\s?\d+(?:\s*(?:[–,-]|and)\s*\d+)*")
_NUMBER = re.compile(r"\d+")
# Tags, and the text inside links and code, are left as they are.
_SKIP = re.compile(r"<(a|code|pre|math)\b.*?</\1>|<[^>]+>", re.DOTALL | re.IGNORECASE)


def section_refs(text: str) -> list[int]:
    """The § numbers that "§N" references in ``text`` name (whether or not a page exists)."""
    return [int(n) for ref in _SECTION_REF.findall(text) for n in _NUMBER.findall(ref)]


def _link_ref(match: re.Match[str]) -> str:
    """One reference ("§7–8"): each number with a page becomes a link, the first one
    with its § sign."""
    pages = note_pages()
    ref, start = match.group(0), 0
    out: list[str] = []
    for i, number in enumerate(_NUMBER.finditer(ref)):
        n = int(number.group(0))
        text_start = 0 if i == 0 else number.start()
        out.append(ref[start:text_start])
        text = ref[text_start : number.end()]
        if n in pages:
            out.append(f'<a class="section-link" href="{section_url(n)}">{text}</a>')
        else:
            out.append(text)
        start = number.end()
    out.append(ref[start:])
    return "".join(out)


def link_sections(html: str) -> str:
    """``html`` (already escaped or trusted) with each "§N" outside tags, links and code
    turned into a link to that § of the notes."""
    out: list[str] = []
    last = 0
    for skip in _SKIP.finditer(html):
        out.append(_SECTION_REF.sub(_link_ref, html[last : skip.start()]))
        out.append(skip.group(0))
        last = skip.end()
    out.append(_SECTION_REF.sub(_link_ref, html[last:]))
    return "".join(out)
