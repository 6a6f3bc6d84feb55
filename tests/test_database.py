"""How the app talks to its database (the settings the load benchmarks tuned)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection

from grader.models import Submission

pytestmark = pytest.mark.django_db


def test_repeated_statements_are_prepared_on_postgresql(student: User) -> None:
    """Every answer runs the same dozen statements: on PostgreSQL they are bound on the
    server and prepared after a few uses, so the database stops parsing and planning
    them (-30 % of its CPU per answer in bench/load.py). On SQLite, which has neither,
    the options must not reach its driver at all."""
    for _ in range(8):
        list(Submission.objects.filter(student=student, status=Submission.Status.QUEUED))
    if connection.vendor != "postgresql":
        assert "server_side_binding" not in connection.settings_dict.get("OPTIONS", {})
        return
    with connection.cursor() as cursor:
        cursor.execute("select statement from pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "grader_submission"' in sql for sql in prepared), prepared
