from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dashboard.selectors import exercise_stats


def test_exercise_stats_count_attempts_solve_rate_distribution_and_time_to_solve(
    course, student, other_student, make_submission
) -> None:
    chain = course["chain-rule"]
    t0 = timezone.now() - timedelta(days=1)
    make_submission(student, chain, 0.0, misconception="sign-error", at=t0)
    make_submission(student, chain, 10.0, at=t0 + timedelta(minutes=30))
    make_submission(other_student, chain, 5.0, misconception="sign-error", at=t0)
    make_submission(
        other_student, chain, 0.0, misconception="missing-inner-factor", at=t0 + timedelta(hours=1)
    )
    carol = User.objects.create_user("carol")
    make_submission(carol, chain, 10.0, at=t0)

    stats = exercise_stats(exercise=chain)

    assert (stats.submissions, stats.students, stats.solved) == (5, 3, 2)
    assert stats.solve_rate == 2 / 3
    # Up to the grading of the full-marks answer (1 s after submitting, here):
    # alice 30 min 1 s, carol 1 s.
    assert stats.median_time_to_solve == timedelta(minutes=15, seconds=1)
    assert stats.median_attempts == 1.5
    by_label = {b.label: b.count for b in stats.distribution}
    assert by_label["100%"] == 2 and by_label["50–60%"] == 1 and sum(by_label.values()) == 3
    top = stats.misconceptions[0]
    assert (top.name, top.submissions, top.students) == ("sign-error", 2, 2)
    assert top.message.startswith("Right factors, wrong sign")
    assert stats.misconceptions[1].name == "missing-inner-factor"


def test_exercise_page_has_the_chart_and_its_numbers_as_a_table(
    instructor_client: Client, course, student, make_submission
) -> None:
    example = make_submission(student, course["chain-rule"], 0.0, misconception="sign-error")
    page = instructor_client.get(
        reverse("dashboard:exercise", args=["chain-rule"])
    ).content.decode()
    chart = page.split('<figure class="chart">')[1].split("</figure>")[0]
    assert chart.count("<svg") == 1 and "<script" not in chart and "http://kozea" not in chart
    table = page.split('id="distribution"')[1].split("</table>")[0]
    assert "0–10%" in table and "100%" in table
    assert '<td class="num">1</td>' in table
    misconceptions = page.split('id="misconceptions"')[1].split("</table>")[0]
    assert "sign-error" in misconceptions
    assert reverse("console:submission", args=[example.pk]) in misconceptions


def test_exercises_overview_lists_every_exercise_with_its_solve_rate(
    instructor_client: Client, course, student, other_student, make_submission
) -> None:
    make_submission(student, course["chain-rule"], 10.0)
    make_submission(other_student, course["chain-rule"], 5.0)
    page = instructor_client.get(reverse("dashboard:exercises")).content.decode()
    table = page.split('id="exercise-summary"')[1]
    row = table.split("chain-rule</a>")[1].split("</tr>")[0]
    assert "50.0%" in row and '<td class="num">2 <span class="meta">of 2</span></td>' in row
    assert "<svg" in page.split('<figure class="chart">')[1]


def test_an_unknown_exercise_is_404(instructor_client: Client, course) -> None:
    assert instructor_client.get(reverse("dashboard:exercise", args=["nope"])).status_code == 404


def test_staff_can_start_an_exercise_regrade_from_its_statistics(
    staff_client: Client, instructor_client: Client, course, django_capture_on_commit_callbacks
) -> None:
    from grader.models import RegradeJob

    url = reverse("dashboard:exercise", args=["chain-rule"])
    assert 'id="regrade-exercise"' not in instructor_client.get(url).content.decode()
    page = staff_client.get(url).content.decode()
    assert 'id="regrade-exercise"' in page and 'name="csrfmiddlewaretoken"' in page
    with django_capture_on_commit_callbacks(execute=False):
        response = staff_client.post(
            reverse("console:regrade_start"), {"exercise": "chain-rule", "reason": "fixed"}
        )
    job = RegradeJob.objects.get()
    assert job.exercise == course["chain-rule"] and response["Location"] == reverse(
        "console:regrade", args=[job.pk]
    )
