"""A web process never imports torch: it takes answers in and shows results; grading
(torch, the sandbox) is the workers'.

A fresh Python process set up as a gunicorn worker is (the same post_worker_init hook:
specs preloaded, objects frozen) serves every kind of page through Django's full stack
(middleware, sessions, templates): the student's exercise list and pages, a formula
answer and a code answer submitted, a result card, the quizzes with an attempt started,
saved and polled, the formula preview, the API, the instructor's dashboard pages and the
staff console. Afterwards it reports whether torch was imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from exercises.models import Quiz

from .conftest import TEST_BROKER_URL, _database_url

ROOT = Path(__file__).resolve().parents[1]

SERVE = r"""
import json, sys
import django
django.setup()
from autograd_course import gunicorn_conf
gunicorn_conf.post_worker_init(None)
from django.test import Client
from django.contrib.auth.models import User
from grader.models import Submission

seen = {}
def visit(client, method, url, **data):
    response = getattr(client, method)(url, data or None, HTTP_HOST="localhost")
    seen[f"{method.upper()} {url}"] = response.status_code
    return response

student = Client()
student.force_login(User.objects.get(username="student"))
for url in ["/", "/exercises/chain-rule/", "/exercises/bce-manual-gradients/",
            "/exercises/power-rule/", "/quizzes/", "/quizzes/autograd-quiz/",
            "/quizzes/formula-preview?q_chain-log=2x"]:
    visit(student, "get", url)
visit(student, "post", "/exercises/chain-rule/", answer="2*x*cos(x^2)")
visit(student, "post", "/exercises/bce-manual-gradients/",
      answer="def grads(x, y, w, b):\n    return 0.0, 0.0\n")
sub = Submission.objects.filter(student__username="student").first()
visit(student, "get", f"/submissions/{sub.pk}/result")
visit(student, "post", "/quizzes/autograd-quiz/start")
visit(student, "get", "/quizzes/autograd-quiz/attempts/1/")
visit(student, "post", "/quizzes/autograd-quiz/attempts/1/", **{"q_chain-log": "2x/(1+x^2)"})
visit(student, "get", "/quizzes/autograd-quiz/attempts/1/")
visit(student, "get", "/quizzes/autograd-quiz/attempts/1/state")
visit(student, "get", f"/api/v1/submissions/{sub.pk}")
staff = Client()
staff.force_login(User.objects.get(username="teacher"))
for url in ["/dashboard/", "/dashboard/exercises/", "/dashboard/exercises/chain-rule/",
            f"/dashboard/students/{sub.student_id}/", "/dashboard/gradebook.csv",
            "/console/", f"/console/submissions/{sub.pk}/"]:
    visit(staff, "get", url)
print(json.dumps({"torch": "torch" in sys.modules, "pages": seen}))
"""


@pytest.mark.django_db(transaction=True)
def test_a_web_process_serves_every_page_kind_without_importing_torch(course) -> None:
    User.objects.create_user("student", password="pw-student-1")
    User.objects.create_superuser("teacher", password="pw-teacher-1")
    Quiz.objects.filter(slug="autograd-quiz").update(
        opens_at=timezone.now() - timezone.timedelta(days=1),
        closes_at=timezone.now() + timezone.timedelta(days=1),
    )
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": TEST_BROKER_URL,
    }
    result = subprocess.run(
        [sys.executable, "-c", SERVE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    bad = {page: code for page, code in report["pages"].items() if code >= 400}
    assert not bad, bad
    assert len(report["pages"]) >= 20
    assert report["torch"] is False
