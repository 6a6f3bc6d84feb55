from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dashboard.gradebook import gradebook_columns
from exercises.models import Quiz, QuizAttempt
from grader.models import Submission


@pytest.fixture
def book(course, student, other_student, make_submission):
    chain, bce = course["chain-rule"], course["bce-manual-gradients"]
    make_submission(student, chain, 4.0, misconception="sign-error")
    make_submission(student, chain, 10.0)
    make_submission(other_student, chain, 5.0, late=True)
    make_submission(other_student, bce, bce.max_score)
    carol = User.objects.create_user("carol", first_name="Carol", last_name="=cmd|calc")
    return {"chain": chain, "bce": bce, "carol": carol}


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [r for r in body.split("<tr>") if r.strip()]


def test_gradebook_shows_each_students_score_attempts_late_flag_and_total(
    instructor_client: Client, book
) -> None:
    page = instructor_client.get(reverse("dashboard:gradebook")).content.decode()
    rows = _rows(page)
    assert [r.split(">", 2)[2].split("<")[0] for r in rows] == ["alice", "bob", "carol"]
    alice, bob, carol = rows
    assert '10 <span class="meta">(2)</span>' in alice
    assert '5 <span class="meta">(1)</span>' in bob and "late" in bob
    assert "<strong>10</strong>" in alice
    assert f"<strong>{5 + book['bce'].max_score:g}</strong>" in bob
    assert "<strong>0</strong>" in carol
    # Staff and instructors are not students.
    assert "ines" not in page.split("<tbody>")[1] and "sam" not in page.split("<tbody>")[1]
    assert "3 students" in page


def test_gradebook_footer_has_per_exercise_totals(instructor_client: Client, book) -> None:
    page = instructor_client.get(reverse("dashboard:gradebook")).content.decode()
    foot = page.split("<tfoot>")[1]

    def cells(label: str) -> dict[str, str]:
        row = foot.split(f"{label}</th>")[1].split("</tr>")[0]
        values = [c.split(">")[1] for c in row.split("</td>") if 'class="num"' in c]
        return dict(zip([c.slug for c in gradebook_columns()], values, strict=True))

    assert (
        cells("Attempted")["chain-rule"] == "2"
        and cells("Attempted")["bce-manual-gradients"] == "1"
    )
    assert cells("Solved")["chain-rule"] == "1" and cells("Solved")["bce-manual-gradients"] == "1"
    assert cells("Solved")["fix-runtime-error"] == "0"


def test_gradebook_sorts_by_an_exercise_and_by_total(instructor_client: Client, book) -> None:
    by_chain = instructor_client.get(
        reverse("dashboard:gradebook"), {"sort": f"-e{book['chain'].pk}"}
    )
    assert [r.split(">", 2)[2].split("<")[0] for r in _rows(by_chain.content.decode())] == [
        "alice",
        "bob",
        "carol",
    ]
    by_chain_up = instructor_client.get(
        reverse("dashboard:gradebook"), {"sort": f"e{book['chain'].pk}"}
    )
    assert [r.split(">", 2)[2].split("<")[0] for r in _rows(by_chain_up.content.decode())] == [
        "carol",
        "bob",
        "alice",
    ]
    by_total = instructor_client.get(reverse("dashboard:gradebook"), {"sort": "-total"})
    assert [r.split(">", 2)[2].split("<")[0] for r in _rows(by_total.content.decode())] == [
        "bob",
        "alice",
        "carol",
    ]


def test_gradebook_ignores_an_unknown_sort(instructor_client: Client, book) -> None:
    response = instructor_client.get(reverse("dashboard:gradebook"), {"sort": "password"})
    assert response.status_code == 200
    assert [r.split(">", 2)[2].split("<")[0] for r in _rows(response.content.decode())] == [
        "alice",
        "bob",
        "carol",
    ]


def test_gradebook_filters_by_name(instructor_client: Client, book) -> None:
    page = instructor_client.get(reverse("dashboard:gradebook"), {"q": "caro"}).content.decode()
    assert [r.split(">", 2)[2].split("<")[0] for r in _rows(page)] == ["carol"]
    assert "1 student." in page


def test_gradebook_paginates(instructor_client: Client, book) -> None:
    User.objects.bulk_create([User(username=f"s{i:03d}") for i in range(60)])
    page1 = instructor_client.get(reverse("dashboard:gradebook")).content.decode()
    page2 = instructor_client.get(reverse("dashboard:gradebook"), {"page": 2}).content.decode()
    assert len(_rows(page1)) == 50 and len(_rows(page2)) == 13
    assert "page 2 of 2 (63 in all)" in page2


def test_gradebook_csv_has_one_row_per_student_and_a_column_per_exercise(
    instructor_client: Client, book, course
) -> None:
    response = instructor_client.get(reverse("dashboard:gradebook_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="gradebook-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # so spreadsheets read it as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [r["username"] for r in rows] == ["alice", "bob", "carol"]
    slugs = list(course)
    assert set(slugs) <= set(rows[0])
    assert rows[0]["chain-rule"] == "10" and rows[0]["bce-manual-gradients"] == ""
    assert rows[1]["chain-rule"] == "5" and rows[1]["late_exercises"] == "1"
    assert rows[1]["total"] == f"{5 + book['bce'].max_score:g}"
    # A cell a spreadsheet would run as a formula is defused.
    assert rows[2]["name"] == "Carol =cmd|calc"
    carol_plain = User.objects.create_user("=evil")
    text = b"".join(
        instructor_client.get(reverse("dashboard:gradebook_csv")).streaming_content
    ).decode()
    assert "'=evil" in text and carol_plain.pk


def test_submission_exports_stream_every_submission_as_csv_and_json(
    instructor_client: Client, book
) -> None:
    text = b"".join(
        instructor_client.get(reverse("dashboard:submissions_csv")).streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == Submission.objects.count() == 4
    assert rows[0]["student"] == "alice" and rows[0]["misconception"] == "sign-error"
    assert rows[0]["grade_ms"] == "12.5"
    data = json.loads(
        b"".join(instructor_client.get(reverse("dashboard:submissions_json")).streaming_content)
    )
    assert [d["id"] for d in data] == sorted(Submission.objects.values_list("id", flat=True))
    assert data[2]["late"] is True and data[2]["override"] is None
    only_bce = json.loads(
        b"".join(
            instructor_client.get(
                reverse("dashboard:submissions_json"), {"exercise": "bce-manual-gradients"}
            ).streaming_content
        )
    )
    assert [d["exercise"] for d in only_bce] == ["bce-manual-gradients"]


def test_student_page_lists_submissions_over_time_with_results(
    instructor_client: Client, book, student
) -> None:
    page = instructor_client.get(reverse("dashboard:student", args=[student.pk])).content.decode()
    subs = page.split('id="student-submissions"')[1]
    assert subs.index("sign-error") > subs.index("10 <span")  # newest first
    chart = page.split('<figure class="chart">')[1].split("</figure>")[0]
    assert "<svg" in chart and "<script" not in chart


def test_quizzes_have_a_column_with_the_kept_attempt_and_count_in_the_total(
    instructor_client: Client, book, student
) -> None:
    quiz = Quiz.objects.first()
    assert quiz is not None, "the course has a quiz"
    for number, score in ((1, 2.0), (2, quiz.max_score), (3, 1.0)):
        QuizAttempt.objects.create(
            quiz=quiz,
            student=student,
            number=number,
            seed=1,
            status="graded",
            score=score,
            max_score=quiz.max_score,
        )
    QuizAttempt.objects.create(
        quiz=quiz, student=student, number=4, seed=1, max_score=quiz.max_score
    )  # in progress
    page = instructor_client.get(reverse("dashboard:gradebook")).content.decode()
    head = page.split("<thead>")[1].split("</thead>")[0]
    assert f'<span class="item-title">{quiz.title}</span>' in head
    assert reverse("dashboard:quiz", args=[quiz.slug]) in head
    alice = _rows(page)[0]
    assert f'{quiz.max_score:g} <span class="meta">(4)</span>' in alice
    assert f"<strong>{10 + quiz.max_score:g}</strong>" in alice
    by_quiz = instructor_client.get(
        reverse("dashboard:gradebook"), {"sort": f"-q{quiz.pk}"}
    ).content.decode()
    assert _rows(by_quiz)[0].split(">", 2)[2].startswith("alice")
    text = b"".join(
        instructor_client.get(reverse("dashboard:gradebook_csv")).streaming_content
    ).decode()
    alice_csv = next(
        r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))) if r["username"] == "alice"
    )
    assert alice_csv[quiz.slug] == f"{quiz.max_score:g}" and alice_csv["solved"] == "2"
