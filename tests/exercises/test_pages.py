from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from grader.models import Submission
from grader.services import submission_grade


def test_every_page_but_login_needs_a_login(course) -> None:
    client = Client()
    for url in ["/", "/exercises/chain-rule/", "/submissions/1/result"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").json() == {"ok": True}


def test_the_list_shows_status_and_best_score(course, student) -> None:
    client = Client()
    client.force_login(student)
    page = client.get("/").content.decode()
    assert "The chain rule" in page and "not started" in page
    sub = Submission.objects.create(
        student=student,
        exercise=course["chain-rule"],
        answer="2x cos(x^2)",
        max_score=10,
        seed=1,
        attempt=1,
    )
    submission_grade(submission_id=sub.pk)
    page = client.get("/").content.decode()
    assert "solved" in page and "10 / 10" in page


def test_the_exercise_page_renders_math_and_the_form(course, student) -> None:
    client = Client()
    client.force_login(student)
    page = client.get("/exercises/chain-rule/").content.decode()
    assert "<math" in page
    assert 'name="answer"' in page
    assert "No attempts yet." in page


def test_submitting_the_form_stores_and_redirects_to_the_live_result(course, student) -> None:
    client = Client()
    client.force_login(student)
    response = client.post("/exercises/chain-rule/", {"answer": "2x cos(x^2)"})
    sub = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exercises/chain-rule/?submission={sub.pk}#result"
    page = client.get(response["Location"]).content.decode()
    # The card asks at once, and the server holds that request until the score is in.
    assert (
        "queued" in page
        and f'hx-get="/submissions/{sub.pk}/result?poll=1&amp;wait=15&amp;seen=queued"' in page
    )
    assert 'hx-trigger="load delay:0ms"' in page
    # Still queued after a wait: the card asks again, backing off between long polls.
    card = client.get(f"/submissions/{sub.pk}/result?poll=3").content.decode()
    assert "?poll=4&amp;wait=15" in card and "delay:2000ms" in card
    submission_grade(submission_id=sub.pk)
    card = client.get(f"/submissions/{sub.pk}/result").content.decode()
    assert "10 / 10" in card and "hx-get" not in card  # final: polling stops
    assert "We read your formula as" in card and "<math" in card


def test_a_formula_that_does_not_parse_is_shown_on_the_page(course, student) -> None:
    client = Client()
    client.force_login(student)
    response = client.post("/exercises/chain-rule/", {"answer": "2x cos(("})
    assert response.status_code == 400
    assert "Could not read the formula" in response.content.decode()
    assert Submission.objects.count() == 0


def test_the_result_card_names_the_misconception(course, student) -> None:
    client = Client()
    client.force_login(student)
    client.post("/exercises/chain-rule/", {"answer": "cos(x^2)"})
    sub = Submission.objects.get()
    submission_grade(submission_id=sub.pk)
    card = client.get(f"/submissions/{sub.pk}/result").content.decode()
    assert "0 / 10" in card
    assert 'data-name="missing-inner-factor"' in card
    assert "1 of these checks are hidden" in card


def test_an_htmx_submit_swaps_in_the_card_and_the_attempts_without_a_reload(
    course, student
) -> None:
    client = Client(headers={"HX-Request": "true"})
    client.force_login(student)
    response = client.post("/exercises/chain-rule/", {"answer": "2x cos(x^2)"})
    sub = Submission.objects.get()
    assert response.status_code == 200
    assert response["HX-Push-Url"] == f"/exercises/chain-rule/?submission={sub.pk}"
    fragment = response.content.decode()
    assert "<html" not in fragment  # a fragment for #result, not a page
    assert 'id="result-card"' in fragment and "queued" in fragment
    assert 'id="history" hx-swap-oob="true"' in fragment and fragment.count("<tr>") == 2
    submission_grade(submission_id=sub.pk)
    card = client.get(f"/submissions/{sub.pk}/result?poll=1").content.decode()
    assert "10 / 10" in card and "hx-get" not in card
    # Final: the attempts table is refreshed with the score, out of band.
    assert 'hx-swap-oob="true"' in card and "<td>graded</td>" in card


def test_an_htmx_submit_that_is_refused_says_why_and_stores_nothing(course, student) -> None:
    client = Client(headers={"HX-Request": "true"})
    client.force_login(student)
    response = client.post("/exercises/chain-rule/", {"answer": "2x cos(("})
    assert response.status_code == 400
    fragment = response.content.decode()
    assert 'id="answer-error"' in fragment and "Could not read the formula" in fragment
    assert "<html" not in fragment
    assert Submission.objects.count() == 0


def test_the_attempts_table_shows_each_attempt_newest_first(course, student) -> None:
    import re

    from django.utils import timezone

    exercise = course["bce-autograd"]
    long_answer = "import torch\n" + "# a long comment " * 10
    when = timezone.now().replace(microsecond=0)
    for attempt, (answer, status, score) in enumerate(
        [(long_answer, "graded", 7.5), ("x = 1", "graded", 10.0), ("y = 2", "queued", None)],
        start=1,
    ):
        Submission.objects.create(
            student=student,
            exercise=exercise,
            answer=answer,
            status=status,
            score=score,
            max_score=10,
            seed=1,
            attempt=attempt,
            submitted_at=when.replace(second=attempt),
        )
    client = Client()
    client.force_login(student)
    page = client.get("/exercises/bce-autograd/").content.decode()
    table = page[page.index('id="attempts"') : page.index("</table>")]
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]
    ]
    stamp = timezone.localtime(when).strftime("%Y-%m-%d %H:%M:")
    assert rows == [
        ["3", stamp + "03", "queued", "—", "y = 2"],
        ["2", stamp + "02", "graded", "10 / 10", "x = 1"],
        ["1", stamp + "01", "graded", "7.50 / 10", long_answer[:59] + "…"],
    ]
    first = Submission.objects.get(attempt=1)
    assert f'href="?submission={first.pk}#result"' in table
    # The answer box starts from the latest answer.
    assert "y = 2</textarea>" in page


@given(
    st.one_of(
        # Scores are stored rounded to 6 decimals (grader/grading.py).
        st.floats(min_value=0, max_value=1000).map(lambda v: round(v, 6)),
        st.sampled_from([0.0, 10.0, 7.5, 3.333333, 9.999, 0.005, 2.675, 1e-9]),
    )
)
def test_scores_are_shown_as_the_floatformat_filter_shows_them(value: float) -> None:
    from django.template.defaultfilters import floatformat

    from grader.selectors import points

    assert points(value) == floatformat(value, "-2")
