"""The production shape, really run: docker-compose.yml up on this machine, driven
through the port it publishes on 127.0.0.1, then taken down with its volumes.

    .venv/bin/python scripts/deploy_test.py      # `make deploy-test` builds first

1. `docker-compose up -d` (project `autograd-deploytest`, fresh secrets) and wait until
   every service's health check says healthy.
2. Two students with API tokens (`manage.py` in the web container, as `apitoken` does).
3. Through the JSON API (`Authorization: Token`): one answer of every kind, each checked
   for full marks: a formula (chain-rule), a numeric part with its code (power-rule, the
   student's own point), a choice part with its code (autograd-basics), a code answer
   (fix-runtime-error). Through the student pages (session login, CSRF): a quiz attempt,
   graded by a worker.
4. The other student asks for the first one's submission: 404, not the answer.
5. Answers are submitted without waiting and the worker container is `docker kill`ed while
   some are still queued; it is started again and every answer must end graded, once.
6. Outcome of every accepted submission, read from the stack's PostgreSQL: a trigger
   (installed before the first answer) logs every status change and every write to a
   final row, so an answer graded twice is counted. Last line:
   `submitted=N graded=N error=N lost=N duplicates=N`.
7. `docker-compose down -v`, whatever happened. Exit 1 if a check failed, an answer was
   lost or graded twice.

Standard library only; nothing here imports the project (it runs against the images).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "exercises" / "content"
PROJECT = os.environ.get("DEPLOY_TEST_PROJECT", "autograd-deploytest")
PORT = int(os.environ.get("DEPLOY_TEST_PORT", "18080"))
BASE = f"http://127.0.0.1:{PORT}"
SERVICES = ("postgres", "redis", "web", "worker")
HEALTHY_WITHIN = 420.0
FINAL_WITHIN = 240.0
KILL_BATCH = 16  # answers in flight when the worker is killed (4 students x 4)
FINAL = ("graded", "error")

ENV = {
    **os.environ,
    "COMPOSE_PROJECT_NAME": PROJECT,
    "SECRET_KEY": secrets.token_urlsafe(48),
    "GRADER_SEED_KEY": secrets.token_urlsafe(32),
    "POSTGRES_PASSWORD": secrets.token_urlsafe(16),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CSRF_TRUSTED_ORIGINS": BASE,
    "WEB_BIND": "127.0.0.1",
    "WEB_PORT": str(PORT),
}

TRIGGER_SQL = """
create table deploy_status_log (id bigserial primary key, submission_id bigint,
  old_status text, new_status text, at timestamptz default clock_timestamp());
create function deploy_log_status() returns trigger language plpgsql as $$
begin
  if new.status is distinct from old.status or old.status in ('graded', 'error') then
    insert into deploy_status_log (submission_id, old_status, new_status)
    values (new.id, old.status, new.status);
  end if;
  return new;
end $$;
create trigger deploy_status after update on grader_submission
  for each row execute function deploy_log_status();
"""

STUDENTS_PY = """
import json
from django.contrib.auth.models import User
from accounts.services import api_token_rotate
from exercises.course import load_spec
from exercises.spec import variant_seed
out = {}
for name in %r:
    user = User.objects.create_user(name, password=%r)
    params = load_spec("power-rule").params(variant_seed(user.pk, "power-rule"))
    out[name] = {"token": api_token_rotate(user=user), "slope": params["slope"]}
print(json.dumps(out))
"""

QUIZ_PY = """
import json
from exercises.models import QuizAttempt
a = QuizAttempt.objects.get(student__username=%r, quiz__slug="autograd-quiz", number=1)
print(json.dumps({"status": a.status, "score": a.score, "max_score": a.max_score}))
"""


class Failed(Exception):
    """A check of the run did not hold."""


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def compose(*args: str, check: bool = True, capture: bool = False) -> str:
    result = subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), *args],
        cwd=ROOT,
        env=ENV,
        text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.STDOUT if capture else None,
        timeout=900,
    )
    if check and result.returncode != 0:
        raise Failed(
            f"docker-compose {' '.join(args)} exited {result.returncode}: "
            f"{(result.stdout or '')[-2000:]}"
        )
    return result.stdout or ""


def container(service: str) -> str:
    cid = compose("ps", "-q", service, capture=True).strip()
    if not cid:
        raise Failed(f"no container for {service}")
    return cid


def docker(*args: str) -> str:
    return subprocess.run(
        ["docker", *args], check=True, text=True, capture_output=True, timeout=120
    ).stdout


def health(service: str) -> str:
    return docker("inspect", "-f", "{{.State.Health.Status}}", container(service)).strip()


def healthy(service: str) -> Callable[[], bool]:
    return lambda: health(service) == "healthy"


def wait_for(what: str, ready: Callable[[], bool], within: float, interval: float = 2.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < within:
        try:
            if ready():
                return time.monotonic() - start
        except (Failed, subprocess.CalledProcessError, OSError):
            pass
        time.sleep(interval)
    raise Failed(f"{what}: not within {within:.0f} s")


def manage_py(code: str) -> str:
    """Run Python in the web container with Django set up; its last line of output."""
    out = compose("exec", "-T", "web", "python", "manage.py", "shell", "-c", code, capture=True)
    return out.strip().splitlines()[-1]


def psql(sql: str) -> list[list[str]]:
    out = compose(
        "exec",
        "-T",
        "postgres",
        "psql",
        "-U",
        "autograd",
        "-d",
        "autograd",
        "-v",
        "ON_ERROR_STOP=1",
        "-A",
        "-t",
        "-F",
        "\t",
        "-c",
        sql,
        capture=True,
    )
    return [line.split("\t") for line in out.splitlines() if line.strip()]


# -- HTTP --------------------------------------------------------------------------


def api(method: str, path: str, token: str, data: dict[str, Any] | None = None) -> tuple[int, Any]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(BASE + path, data=body, method=method)
    request.add_header("Authorization", f"Token {token}")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


class _PlainHttpPolicy(http.cookiejar.DefaultCookiePolicy):
    """Production cookies are Secure (sent over HTTPS only); here the stack is reached on
    its loopback port without the TLS proxy that fronts it, so they go back over HTTP."""

    def return_ok_secure(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return True


class Browser:
    """A student's session on the HTML pages: cookies and the CSRF token."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar(policy=_PlainHttpPolicy())
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(str(c.value) for c in self.jar if c.name == "csrftoken")

    def get(self, path: str) -> str:
        with self.opener.open(BASE + path, timeout=60) as response:
            return str(response.read().decode())

    def post(self, path: str, fields: dict[str, str]) -> str:
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(BASE + path, data=data, method="POST")
        request.add_header("Referer", BASE + path)
        with self.opener.open(request, timeout=60) as response:
            return str(response.read().decode())

    def login(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        page = self.post("/accounts/login/", {"username": username, "password": password})
        if 'name="password"' in page:
            raise Failed(f"{username} could not log in")


# -- the run -------------------------------------------------------------------------


def read(slug: str, stem: str) -> str:
    return next((CONTENT / slug).glob(f"{stem}.*")).read_text()


def grade_every_kind(token: str, slope: float) -> list[int]:
    """One answer of each kind through the API, waiting for the result; full marks each."""
    answers: list[tuple[str, dict[str, Any]]] = [
        ("formula", {"exercise": "chain-rule", "answer": read("chain-rule", "solution")}),
        (
            "numeric",
            {
                "exercise": "power-rule",
                "answer": read("power-rule", "solution"),
                "parts": {"slope": repr(slope)},
            },
        ),
        (
            "choice",
            {
                "exercise": "autograd-basics",
                "answer": read("autograd-basics", "solution"),
                "parts": {"grad_fn": "pow"},
            },
        ),
        (
            "code",
            {"exercise": "fix-runtime-error", "answer": read("fix-runtime-error", "solution")},
        ),
    ]
    ids = []
    for kind, data in answers:
        status, body = api("POST", "/api/v1/submissions?wait=60", token, data)
        if status == 202:  # not final within the wait: poll
            status, body = api("GET", f"/api/v1/submissions/{body['id']}?wait=60", token)
        if status not in (200, 201) or body.get("status") != "graded":
            raise Failed(f"{kind} ({data['exercise']}): HTTP {status} {body}")
        if body["score"] != body["max_score"]:
            raise Failed(
                f"{kind} ({data['exercise']}): {body['score']}/{body['max_score']}: "
                f"{body.get('checks')}"
            )
        log(f"{kind:8} {data['exercise']:18} graded {body['score']:g}/{body['max_score']:g}")
        ids.append(int(body["id"]))
    return ids


def grade_quiz(username: str, password: str) -> None:
    """A quiz attempt through the student pages; a worker grades it."""
    browser = Browser()
    browser.login(username, password)
    browser.post("/quizzes/autograd-quiz/start", {})
    browser.post("/quizzes/autograd-quiz/attempts/1/", {"q_why-autograd": "nested"})

    def graded() -> bool:
        return bool(json.loads(manage_py(QUIZ_PY % username))["status"] == "graded")

    wait_for("quiz attempt graded", graded, FINAL_WITHIN)
    state = json.loads(manage_py(QUIZ_PY % username))
    page = browser.get("/quizzes/autograd-quiz/attempts/1/")
    if not state["score"] or not re.search(r"\d", page):
        raise Failed(f"quiz attempt: {state}")
    log(
        f"quiz     autograd-quiz      graded {state['score']:g}/{state['max_score']:g} "
        "(one question answered, right)"
    )


def check_isolation(owner_submission: int, other_token: str) -> None:
    status, body = api("GET", f"/api/v1/submissions/{owner_submission}", other_token)
    if status != 404 or "answer" in json.dumps(body):
        raise Failed(f"another student's submission answered {status} {body}")
    log(f"isolation: another student's GET /api/v1/submissions/{owner_submission} -> {status}")


def kill_worker_with_jobs_queued(tokens: list[str]) -> list[int]:
    """Answers in flight, the worker container SIGKILLed, then started again. Each answer
    is right and takes 2 s (a sleep before the solution), so that with 4 worker processes
    most of the batch is still queued when the kill comes."""
    code = "import time\ntime.sleep(2)\n" + read("fix-runtime-error", "solution")
    ids = []
    for i in range(KILL_BATCH):
        token = tokens[i % len(tokens)]
        status, body = api(
            "POST", "/api/v1/submissions", token, {"exercise": "fix-runtime-error", "answer": code}
        )
        if status != 202:
            raise Failed(f"submission refused: {status} {body}")
        ids.append(int(body["id"]))
    worker = container("worker")
    docker("kill", worker)
    pending = psql(
        "select count(*) from grader_submission where status in ('queued', 'running') "
        f"and id in ({','.join(map(str, ids))})"
    )[0][0]
    log(f"docker kill worker: {pending} of {len(ids)} answers queued or running")
    if int(pending) == 0:
        raise Failed("the worker was killed with no answer in flight: the test proves nothing")
    time.sleep(3)
    docker("start", worker)
    took = wait_for("worker healthy again", healthy("worker"), HEALTHY_WITHIN)
    log(f"worker started again, healthy after {took:.0f} s")
    return ids


def wait_final(ids: list[int]) -> float:
    id_list = ",".join(map(str, ids))

    def done() -> bool:
        rows = psql(
            f"select count(*) from grader_submission where id in ({id_list}) "
            "and status in ('graded', 'error')"
        )
        return int(rows[0][0]) == len(ids)

    return wait_for(f"{len(ids)} answers final", done, FINAL_WITHIN)


def outcome(ids: list[int]) -> dict[str, int]:
    id_list = ",".join(map(str, ids))
    status = dict(
        (int(i), s)
        for i, s in psql(f"select id, status from grader_submission where id in ({id_list})")
    )
    finals = psql(
        f"select submission_id, count(*) from deploy_status_log where submission_id in ({id_list}) "
        "and (new_status in ('graded', 'error') or old_status in ('graded', 'error')) "
        "group by submission_id"
    )
    return {
        "submitted": len(ids),
        "graded": sum(1 for i in ids if status.get(i) == "graded"),
        "error": sum(1 for i in ids if status.get(i) == "error"),
        "lost": sum(1 for i in ids if status.get(i) not in FINAL),
        "duplicates": sum(1 for _, n in finals if int(n) > 1),
    }


def run() -> dict[str, int]:
    log(f"docker-compose up -d (project {PROJECT}, web on 127.0.0.1:{PORT})")
    compose("up", "-d")
    for service in SERVICES:
        took = wait_for(f"{service} healthy", healthy(service), HEALTHY_WITHIN)
        log(f"{service:8} healthy ({took:.0f} s more)")
    print(compose("ps", capture=True), end="", flush=True)
    psql(TRIGGER_SQL)
    password = secrets.token_urlsafe(12)
    names = [f"student{i}" for i in range(1, 5)]
    students = json.loads(manage_py(STUDENTS_PY % (names, password)))
    first, other = students[names[0]], students[names[1]]
    ids = grade_every_kind(first["token"], first["slope"])
    grade_quiz(names[0], password)
    check_isolation(ids[0], other["token"])
    killed = kill_worker_with_jobs_queued([students[n]["token"] for n in names])
    took = wait_final(killed)
    log(f"all {len(killed)} answers of the kill final {took:.0f} s after the worker was healthy")
    ids += killed
    result = outcome(ids)
    wrong = psql(
        "select count(*) from grader_submission where status = 'graded' and score < max_score "
        f"and id in ({','.join(map(str, killed))})"
    )[0][0]
    if int(wrong):
        raise Failed(f"{wrong} right answers of the kill graded below full marks")
    return result


def main() -> int:
    failure = None
    result = {"submitted": 0, "graded": 0, "error": 0, "lost": 0, "duplicates": 0}
    try:
        result = run()
    except (Failed, OSError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        failure = f"{type(exc).__name__}: {exc}"
        print(compose("logs", "--tail", "40", capture=True, check=False), file=sys.stderr)
    finally:
        log("docker-compose down -v")
        compose("down", "-v", capture=True, check=False)
    if failure:
        print(f"FAILED: {failure}", flush=True)
    print(" ".join(f"{k}={v}" for k, v in result.items()), flush=True)
    bad = failure or result["lost"] or result["duplicates"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
