"""One course total: the student's own list, the instructor's student page, the
gradebook and its CSV export show the same number, with the quiz counted and each
item's score policy and manual overrides applied."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from exercises.models import Exercise, Quiz, QuizAttempt
from grader.overrides import override_set
from grader.standing import course_standing


def _quiz_attempts(quiz: Quiz, student: User, scores: list[float]) -> None:
    for number, score in enumerate(scores, start=1):
        QuizAttempt.objects.create(
            quiz=quiz, student=student, number=number, seed=number, status="graded",
            score=score, max_score=quiz.max_score,
        )  # fmt: skip


def _shown_totals(student: User, instructor_client: Client) -> dict[str, tuple[str, str]]:
    """The total and the maximum as each page prints them."""
    own = Client()
    own.force_login(student)
    listing = own.get(reverse("exercises:list")).content.decode()
    m = re.search(r"Course total: <strong>([\d.]+) / ([\d.]+)</strong>", listing)
    assert m, listing
    shown = {"student list": (m.group(1), m.group(2))}

    page = instructor_client.get(reverse("dashboard:student", args=[student.pk])).content.decode()
    m = re.search(
        r'id="course-total"><strong>([\d.]+)</strong> <span class="meta">/ ([\d.]+)', page
    )
    assert m, page
    shown["instructor's student page"] = (m.group(1), m.group(2))

    book = instructor_client.get(reverse("dashboard:gradebook")).content.decode()
    row = next(r for r in book.split("<tbody>")[1].split("<tr>") if f">{student.username}</a>" in r)
    total = re.search(r'class="num total"><strong>([\d.]+)</strong>', row)
    maximum = re.search(r'>Total [^<]*</a><br><span class="meta">/ ([\d.]+)</span>', book)
    assert total and maximum
    shown["gradebook"] = (total.group(1), maximum.group(1))

    text = b"".join(
        instructor_client.get(reverse("dashboard:gradebook_csv")).streaming_content
    ).decode()
    line = next(
        r
        for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        if r["username"] == student.username
    )
    shown["gradebook CSV"] = (line["total"], line["max_total"])
    return shown


@pytest.mark.parametrize("policy", ["best", "latest"])
def test_every_page_shows_the_same_course_total_with_the_quiz(
    course, student, other_student, staff_user, instructor_client, make_submission, policy
) -> None:
    chain, bce = course["chain-rule"], course["bce-manual-gradients"]
    make_submission(student, chain, 4.0)
    make_submission(student, chain, 10.0)  # best 10
    graded = make_submission(student, bce, 0.0)
    override_set(actor=staff_user, submission=graded, score=3.0, reason="partial credit")
    make_submission(other_student, chain, 5.0)
    quiz = Quiz.objects.get()
    Quiz.objects.filter(pk=quiz.pk).update(score_policy=policy)
    _quiz_attempts(quiz, student, [2.0, quiz.max_score, 1.0])  # best: max; latest: 1

    kept_quiz = quiz.max_score if policy == "best" else 1.0
    expected_total = 10.0 + 3.0 + kept_quiz
    expected_max = sum(e.max_score for e in Exercise.objects.all()) + quiz.max_score

    standing = course_standing(student=student)
    assert standing.total == pytest.approx(expected_total)
    assert standing.max_total == pytest.approx(expected_max)
    # The gradebook's footer averages the kept scores too (alice is the only one to
    # have taken the quiz).
    book = instructor_client.get(reverse("dashboard:gradebook")).content.decode()
    means = book.split("Mean kept score</th>")[1].split("</tr>")[0]
    cells = re.findall(r'<td class="num">([^<]*)</td>', means)
    assert cells[-1] == f"{kept_quiz:g}"
    want = (f"{expected_total:g}", f"{expected_max:g}")
    assert _shown_totals(student, instructor_client) == {
        "student list": want,
        "instructor's student page": want,
        "gradebook": want,
        "gradebook CSV": want,
    }


def test_the_student_list_has_sections_and_the_quiz_among_the_exercises(
    course, student, make_submission
) -> None:
    make_submission(student, course["chain-rule"], 10.0)
    make_submission(student, course["nested-chain-rule"], 4.0)
    quiz = Quiz.objects.get()
    _quiz_attempts(quiz, student, [5.0])
    own = Client()
    own.force_login(student)
    page = own.get(reverse("exercises:list")).content.decode()

    listing = page.split('id="exercise-list"')[1]
    slugs = re.findall(r'<tr data-slug="([^"]+)"', listing)
    assert slugs[-1] == quiz.slug and "chain-rule" in slugs  # one list, the quiz on it
    quiz_row = listing.split(f'data-slug="{quiz.slug}"')[1].split("</tr>")[0]
    assert "attempted" in quiz_row and f"5 / {quiz.max_score:g}" in quiz_row

    sections = page.split('id="section-progress"')[1].split("</table>")[0]
    two = sections.split('data-section="2"')[1].split("</tr>")[0]
    # §2 has the two chain-rule exercises: one solved, 10 + 4 of 20 points.
    assert "1 of 2" in two and "14 / 20" in two
    three = sections.split('data-section="3"')[1].split("</tr>")[0]
    five = sections.split('data-section="5"')[1].split("</tr>")[0]
    # Nothing on §3 or §5 (autograd-basics is on both) was solved: 0 of however many.
    on = {
        n: sum(n in [p.strip() for p in e.notes_section.split(",")] for e in course.values())
        for n in ("3", "5")
    }
    assert f"0 of {on['3']}" in three and f"0 of {on['5']}" in five
