"""The exercise statistics page shows the instructor who opened which hint, when, and
how (after failed attempts or asked for)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.test import Client

from dashboard.selectors import hint_usage
from grader.hints import hint_request, hints_unlock_after_failures
from grader.models import HintUnlock


def test_the_exercise_page_has_a_table_of_who_used_which_hint_and_how(
    course, student, other_student, instructor, make_submission
) -> None:
    chain = course["chain-rule"]
    make_submission(student, chain, 0.0)
    make_submission(student, chain, 0.0)
    hints_unlock_after_failures(student_id=student.pk, exercise=chain)
    hint_request(student=other_student, exercise=chain)
    User.objects.create_user("carol")  # opened no hint: not in the table
    HintUnlock.objects.filter(student=student, number=2).update(
        unlocked_at=datetime(2026, 12, 1, 10, 30, tzinfo=UTC)
    )

    usage = hint_usage(exercise=chain)
    assert usage.hints == 3 and usage.opened == [2, 1, 0]
    assert [r.student.username for r in usage.rows] == ["alice", "bob"]
    assert [r.requested for r in usage.rows] == [0, 1]

    client = Client()
    client.force_login(instructor)
    html = client.get("/dashboard/exercises/chain-rule/").content.decode()
    table = html.split('<table class="table" id="hint-usage">')[1].split("</table>")[0]
    alice, bob = table.split("<tbody>")[1].split("</tr>")[:2]
    assert ">alice</a>" in alice and alice.count("after failed attempts") == 2
    assert "2026-12-01 10:30" in alice
    assert ">bob</a>" in bob and bob.count("asked for") == 1 and bob.count("—") == 2
    assert "carol" not in table
    assert "Hints cost no points." in html


def test_students_see_no_hint_usage_table(course, student) -> None:
    client = Client()
    client.force_login(student)
    assert client.get("/dashboard/exercises/chain-rule/").status_code in (302, 403)
