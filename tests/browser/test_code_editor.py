"""The code editor in a real browser: it never deletes code. Tab indents a selection
and Shift+Tab dedents it, brackets and quotes close, Esc leaves the editor, "Reset to
starter code" can be undone, and a syntax error marks its line."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from grader.models import Submission
from tests.browser.ux import code, log_in, set_code

pytestmark = [pytest.mark.browser]
LINES = "a = 1\nb = 2\nc = 3\nprint(a)"


@pytest.mark.django_db(transaction=True)
def test_tab_indents_a_selection_and_shift_tab_dedents_it_without_losing_code(
    course, live_server, page: Page
) -> None:
    log_in(page, live_server.url, "/exercises/fix-runtime-error/")
    expect(page.locator(".CodeMirror")).to_be_visible()
    set_code(page, LINES)
    page.click(".CodeMirror-code")
    page.keyboard.press("Control+Home")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowDown")  # the first three lines, whole
    page.keyboard.press("Tab")
    assert code(page) == "    a = 1\n    b = 2\n    c = 3\nprint(a)"
    page.keyboard.press("Tab")
    assert code(page) == "        a = 1\n        b = 2\n        c = 3\nprint(a)"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert code(page) == LINES

    # Without a selection Tab inserts spaces; Shift+Tab on a line dedents it.
    page.keyboard.press("Control+End")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert code(page).endswith("\n    print(a)")
    page.keyboard.press("Shift+Tab")
    assert code(page) == LINES


@pytest.mark.django_db(transaction=True)
def test_brackets_close_esc_leaves_the_editor_and_reset_can_be_undone(
    course, live_server, page: Page
) -> None:
    log_in(page, live_server.url, "/exercises/fix-runtime-error/")
    starter = code(page)
    set_code(page, "x = 1\n")
    page.click(".CodeMirror-code")
    page.keyboard.press("Control+End")
    page.keyboard.type("print(len('ab")
    assert code(page) == "x = 1\nprint(len('ab'))"
    # The help text says how to leave the editor; Esc moves to the Submit button.
    expect(page.locator("#editor-help")).to_contain_text("Esc")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.id") == "submit-answer"
    assert page.get_attribute(".CodeMirror textarea", "aria-label") == "Your code"

    page.click("#reset-starter")
    assert code(page) == starter
    expect(page.locator("#editor-status")).to_contain_text("Ctrl+Z")
    page.keyboard.press("Control+z")  # the editor has the focus after a reset
    assert code(page) == "x = 1\nprint(len('ab'))"


@pytest.mark.django_db(transaction=True)
def test_a_syntax_error_is_refused_and_its_line_marked_in_the_editor(
    course, live_server, page: Page
) -> None:
    log_in(page, live_server.url, "/exercises/fix-runtime-error/")
    set_code(page, "import torch\n\nx = torch.tensor(1.0\ny = 2\n")
    page.click("#submit-answer")
    expect(page.locator("#answer-error")).to_contain_text("SyntaxError on line 3")
    marked = page.locator(".CodeMirror .cm-error-line")
    expect(marked).to_have_count(1)
    expect(page.locator(".CodeMirror .error-marker")).to_have_count(1)
    # The marked line is the third one, as the message says.
    assert (
        page.evaluate(
            "[...document.querySelectorAll('.CodeMirror-code > div')]"
            ".findIndex(d => d.querySelector('.cm-error-line'))"
        )
        == 2
    )
    expect(page.locator("#submit-answer")).to_be_enabled()
    assert Submission.objects.count() == 0
