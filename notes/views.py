from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .pages import note_pages
from .selectors import section_practice


def notes_index(request: HttpRequest) -> HttpResponse:
    return render(request, "notes/index.html", {"pages": list(note_pages().values())})


def notes_page(request: HttpRequest, number: int) -> HttpResponse:
    pages = note_pages()
    page = pages.get(number)
    if page is None:
        raise Http404("No such section of the notes.")
    context = {
        "page": page,
        "practice": section_practice(number=number),
        "previous": pages.get(number - 1),
        "next": pages.get(number + 1),
    }
    return render(request, "notes/page.html", context)
