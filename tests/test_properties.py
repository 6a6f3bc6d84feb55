"""Property-based tests: whatever a student sends, the answer is a clear 4xx or is
accepted for grading — never a 500, never an exception escaping the intake."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.intake import AnswerRejected, check_answer
from grader.models import Submission
from grader.sandbox.formula import FormulaError, parse

FORMULA_ALPHABET = st.sampled_from(
    [
        *"x0123456789.+-*/^() ",
        "sin",
        "cos",
        "exp",
        "log",
        "ln",
        "sqrt",
        "tanh",
        "sigmoid",
        "pi",
        "e",
        "**",
        "__import__",
        "'",
        "os",
    ]
)
formula_like = st.lists(FORMULA_ALPHABET, max_size=40).map("".join)
hypothesis_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@given(st.one_of(st.text(max_size=200), formula_like))
@settings(max_examples=600, deadline=None)
def test_the_formula_reader_only_ever_parses_or_says_why(text: str) -> None:
    try:
        expr = parse(text)
    except FormulaError as exc:
        assert str(exc)
        return
    # What we echo back ("we read your formula as …") reads back to the same formula.
    assert parse(expr.to_text()).to_text() == expr.to_text()
    assert expr.to_latex()


@given(formula_like)
@settings(max_examples=300, deadline=None)
def test_no_formula_smuggles_a_name_through(text: str) -> None:
    try:
        expr = parse(text)
    except FormulaError:
        return
    rendered = expr.to_text()
    for forbidden in ("__", "import", "os", "'", '"', "["):
        assert forbidden not in rendered


@pytest.mark.django_db
@given(
    answer=st.one_of(
        st.text(max_size=300), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))
    )
)
@hypothesis_settings
def test_code_intake_accepts_or_rejects_with_a_message(course, answer: str) -> None:
    for slug in ("bce-manual-gradients", "fix-runtime-error", "chain-rule"):
        try:
            normalised, parts = check_answer(course[slug], answer, None)
        except AnswerRejected as exc:
            assert exc.message and 400 <= exc.status < 500
        else:
            # A formula is stored without its surrounding blanks; code exactly as sent.
            assert normalised == (answer.strip() if slug == "chain-rule" else answer)
            assert parts == {}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
payloads = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "exercise": st.sampled_from(["chain-rule", "fix-runtime-error", "nope", ""])
            | json_values,
            "answer": st.text(max_size=200) | json_values,
        },
        optional={"parts": json_values},
    ),
)


@pytest.mark.django_db
@given(payload=payloads)
@hypothesis_settings
def test_api_payloads_get_202_or_a_clear_4xx(course, student, settings, payload) -> None:
    settings.GRADER_RATE_LIMIT_PER_MINUTE = 10**6
    client = Client(raise_request_exception=False)
    client.force_login(student)
    before = Submission.objects.count()
    response = client.post(
        "/api/v1/submissions", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code == 202 or 400 <= response.status_code < 500, response.content
    body = response.json()
    if response.status_code == 202:
        assert Submission.objects.count() == before + 1
        assert Submission.objects.get(pk=body["id"]).status == "queued"
    else:
        assert body["error"]
        assert Submission.objects.count() == before


@pytest.mark.django_db
@given(body=st.binary(max_size=300))
@hypothesis_settings
def test_raw_request_bodies_never_cause_a_500(course, student, body: bytes) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(student)
    response = client.post("/api/v1/submissions", body, content_type="application/json")
    assert response.status_code < 500


@given(formula_like)
@settings(max_examples=120, deadline=None)
def test_every_formula_that_parses_gets_a_graded_result(text: str) -> None:
    from exercises.course import load_spec
    from grader.grading import grade_answer

    try:
        parse(text)
    except FormulaError:
        return
    outcome = grade_answer(load_spec("chain-rule"), answer=text, seed=3, attempt=1)
    assert 0 <= outcome.score <= outcome.max_score
    assert outcome.results["output"]
    assert all(t["status"] in ("passed", "failed") for t in outcome.results["tests"])
