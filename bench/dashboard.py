"""Time the staff pages on a synthetic course of 1,000 students × 10 exercises × 20
submissions (200,000 submissions), and count their SQL queries.

    .venv/bin/python bench/dashboard.py                 # SQLite, var/bench-dashboard.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/autograd .venv/bin/python bench/dashboard.py
                                                        # PostgreSQL, database autograd_bench

It never touches the site's own database: SQLite uses its own file, PostgreSQL its own
database (`<name>_bench`) on the server DATABASE_URL names. The course is built once
and reused; --rebuild makes it again. Times are server time: the Django test client
runs the whole middleware stack and view in-process, and the streamed exports are read
to the last byte."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _bench_database_url(rebuild: bool) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        path = ROOT / "var" / "bench-dashboard.sqlite3"
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/') or 'autograd'}_bench"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--exercises", type=int, default=10)
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per page")
    parser.add_argument("--rebuild", action="store_true", help="make the course again")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _bench_database_url(args.rebuild)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "autograd_course.settings")
    os.environ["DEBUG"] = "1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from dashboard.synth import EXERCISE_PREFIX, synth_course
    from exercises.models import Exercise
    from grader.models import Submission

    wanted = args.students * args.exercises * args.submissions
    have = Submission.objects.filter(exercise__slug__startswith=EXERCISE_PREFIX).count()
    if have != wanted:
        if have:
            sys.exit(
                f"the bench database holds {have} synthetic submissions, not {wanted}: use --rebuild"
            )
        t0 = time.perf_counter()
        summary = synth_course(
            students=args.students, exercises=args.exercises, submissions=args.submissions
        )
        print(
            f"built the course: {summary.students} students × {summary.exercises} exercises, "
            f"{summary.submissions} submissions, {summary.scores} scores "
            f"in {time.perf_counter() - t0:.1f} s"
        )
    if connection.vendor == "postgresql":
        # The steady state autovacuum keeps a live database in: statistics, and a
        # visibility map so that index-only scans need no heap visits.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    _run(args.repeat, Exercise.objects.filter(slug__startswith=EXERCISE_PREFIX).first())


def _run(repeat: int, exercise: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dashboard.selectors import students
    from dashboard.synth import QUIZ_SLUG
    from exercises.models import QuizAttempt
    from grader.models import Score, Submission

    user_model = get_user_model()
    admin, _ = user_model.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    student = students().order_by("id").first()
    sample = Submission.objects.filter(exercise=exercise).order_by("id").first()
    attempt = QuizAttempt.objects.filter(quiz__slug=QUIZ_SLUG).order_by("id").first()
    assert student and sample and attempt, "the synthetic course is empty (use --rebuild)"
    pages = [
        ("gradebook, page 1 (by name)", "/dashboard/"),
        ("gradebook sorted by an exercise", f"/dashboard/?sort=-e{exercise.pk}"),
        ("gradebook filtered by name", "/dashboard/?q=synth-009"),
        ("gradebook sorted by total, page 10", "/dashboard/?sort=-total&page=10"),
        ("gradebook CSV export (all students)", "/dashboard/gradebook.csv"),
        ("exercise statistics", f"/dashboard/exercises/{exercise.slug}/"),
        ("quiz statistics (1,000 attempts)", f"/dashboard/quizzes/{QUIZ_SLUG}/"),
        ("exercises overview", "/dashboard/exercises/"),
        ("one student", f"/dashboard/students/{student.pk}/"),
        ("console: submissions, page 1", "/console/"),
        (
            "console: submissions filtered",
            f"/console/?exercise={exercise.slug}&status=graded&score_max=5",
        ),
        ("console: one submission", f"/console/submissions/{sample.pk}/"),
        ("console: quiz attempts, page 1", "/console/quiz-attempts/"),
        ("console: one quiz attempt", f"/console/quiz-attempts/{attempt.pk}/"),
        ("console: queue health", "/console/queue/"),
        ("console: audit log", "/console/audit/"),
        (
            "submissions CSV export, one exercise",
            f"/dashboard/submissions.csv?exercise={exercise.slug}",
        ),
        ("submissions CSV export, all rows", "/dashboard/submissions.csv"),
        ("submissions JSON export, all rows", "/dashboard/submissions.json"),
    ]
    print(
        f"\ndatabase: {connection.vendor} ({connection.settings_dict['NAME']}); "
        f"{students().count()} students, {Submission.objects.count()} submissions, "
        f"{Score.objects.count()} scores; {repeat} timed runs per page after one warm-up; "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs\n"
    )
    print(f"{'page':42} {'median ms':>10} {'max ms':>8} {'queries':>8} {'bytes':>11}")
    for name, url in pages:
        size = _fetch(client, url)  # warm-up: connection, caches, templates
        # DEBUG logs every query and each request clears the log: start from empty.
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            _fetch(client, url)
        runs = []
        # The all-rows exports take seconds each: one timed run is enough.
        for _ in range(1 if "all rows" in name else repeat):
            t0 = time.perf_counter()
            _fetch(client, url)
            runs.append((time.perf_counter() - t0) * 1000)
        print(
            f"{name:42} {statistics.median(runs):10.1f} {max(runs):8.1f} "
            f"{len(queries.captured_queries):8d} {size:11,d}"
        )


def _fetch(client: Any, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


if __name__ == "__main__":
    main()
