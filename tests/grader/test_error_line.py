"""The line an error names, so the code editor can mark it: a syntax error refused at
submit, a runtime error in the graded result."""

from __future__ import annotations

import pytest
from django.test import Client

from grader.grading import error_line
from grader.intake import AnswerRejected, check_answer


def test_the_line_is_read_from_the_sandboxs_error_texts() -> None:
    assert error_line(["", None, "NameError: name 'w' is not defined (line 3)"]) == 3
    assert error_line(["SyntaxError on line 12: invalid syntax"]) == 12
    assert error_line(["1 of 1 values differ", "your code raised ZeroDivisionError (line 7)"]) == 7
    assert error_line(["no line here", "an outline (lines 2-3)"]) is None


def test_a_syntax_error_is_refused_with_its_line(course) -> None:
    with pytest.raises(AnswerRejected) as refused:
        check_answer(course["fix-runtime-error"], "import torch\nx = (\n", {})
    assert refused.value.line == 2 and "line 2" in refused.value.message


def test_the_htmx_error_names_the_line_for_the_editor(course, student) -> None:
    client = Client()
    client.force_login(student)
    response = client.post(
        "/exercises/fix-runtime-error/", {"answer": "a = 1\nb = (\n"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert 'data-error-line="2"' in response.content.decode()
