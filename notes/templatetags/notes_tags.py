from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from notes.pages import link_sections, note_pages, section_url, sections_of

register = template.Library()


@register.filter(is_safe=True)
def section_links(value: Any) -> SafeString:
    """Course text with each "§N" a link to that § of the notes. Plain text (feedback,
    anything a student's answer may have shaped) is escaped first; only text already
    marked safe (rendered course content) is linked as it is."""
    escaped = conditional_escape(value)
    # Safe: the text was escaped above (or was already safe); only <a> tags are added.
    return mark_safe(link_sections(str(escaped)))


@register.inclusion_tag("notes/_practises.html")
def practises(sections: str) -> dict[str, Any]:
    """ "notes §3, §5" for an exercise's or quiz's section field, each § a link."""
    pages = note_pages()
    return {"links": [(n, section_url(n) if n in pages else "") for n in sections_of(sections)]}
