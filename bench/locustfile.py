"""Simulated students for bench/load.py (run by it; not meant to be run by hand).

Each student logs in through the login form (all of them, before the clock starts:
a login costs one PBKDF2 hash, ~0.4 s of CPU, so 200 logins are a phase of their own),
opens the exercise list, then for BENCH_DURATION seconds repeats: open an exercise,
think, submit, watch the result until it is final, think. Half the students use the
pages as the browser does with htmx (the form posted with HX-Request, which answers with
the result card, graded if that took under GRADER_SUBMIT_WAIT_SECONDS; else the card's
own hx-get, a long poll held by the server until the answer is final), half the JSON
API with their token (`POST …?wait=15`, answered with the graded result; if it is not
final by then, `GET …?wait=15`, the same long poll). The answers are a fixed mix
(BENCH_MIX) of reference solutions, the exercises' own wrong/ answers, syntax errors
(rejected at submit with a 400, never stored) and a bounded number of answers that
loop forever (BENCH_TIMEOUTS in total: each holds a worker for the full wall limit).

A share of the cycles (BENCH_QUIZ_SHARE, 1 in 5 by default) is the course quiz instead
of one answer, as a browser takes it: open the quiz page, start an attempt (POST, then
the attempt page it redirects to), answer every question, think, submit (POST, then the
page it redirects to), and watch until the page shows a score: a page with the
attempt's state fragment polling (hx-get … hx-trigger="every 1s") is followed the way
htmx follows it; a page that is neither final nor polling is reloaded after a second,
as it asks. The numbers of the numeric questions are the attempt's own variant: they
are read from the prompts on the page. Each question is answered right with
probability BENCH_QUIZ_RIGHT, else wrong (a misconception's value, a wrong option, a
formula from the quiz's own wrong answers); what was meant is recorded per question so
that bench/load.py can check every graded question.

Django sets its cookies Secure (DEBUG=0); over plain http the students send them back
themselves (a Cookie header built from the jar, which stores but does not return them),
as browsers do for 127.0.0.1; in production TLS is terminated in front of gunicorn.

Writes BENCH_OUT (JSON): every request (name, ms, status, phase), every submission
(id, kind, exercise, via, client times) and every quiz attempt (student, number,
intended right/wrong per question, client times), then stops the runner itself.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import gevent
from gevent.event import Event
from locust import FastHttpUser, events, task
from locust.exception import StopUser

CONTENT = Path(__file__).resolve().parent.parent / "exercises" / "content"
STUDENTS: dict[str, str] = json.loads(Path(os.environ["BENCH_STUDENTS_FILE"]).read_text())
PASSWORD = os.environ["BENCH_PASSWORD"]
OUT = Path(os.environ["BENCH_OUT"])
DURATION = float(os.environ.get("BENCH_DURATION", "120"))
THINK = float(os.environ.get("BENCH_THINK", "1.0"))
TIMEOUTS = int(os.environ.get("BENCH_TIMEOUTS", "10"))
FORM_SHARE = float(os.environ.get("BENCH_FORM_SHARE", "0.5"))
LOGIN_PHASE_MAX = float(os.environ.get("BENCH_LOGIN_PHASE_MAX", "240"))
POLL_MAX = 60.0  # a student stops watching one result after this long
# 1: open the exercise page again before every answer (what the site did before the
# answer form was submitted by htmx: POST, redirect, whole page). 0: as students use it
# now: after a wrong answer they fix it on the same page (the form is swapped in place,
# no reload) and open a page only for a new exercise.
PAGE_PER_ANSWER = os.environ.get("BENCH_PAGE_PER_ANSWER", "0") == "1"

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_RE = re.compile(r"[?&]submission=(\d+)")
CARD_NEXT_RE = re.compile(r'hx-get="([^"]+)" hx-trigger="load delay:(\d+)ms"')
API_WAIT_SECONDS = 15
CARD_STATUS_RE = re.compile(r'data-status="(\w+)"')

QUIZ = "autograd-quiz"
QUIZ_SHARE = float(os.environ.get("BENCH_QUIZ_SHARE", "0.2"))
QUIZ_RIGHT = float(os.environ.get("BENCH_QUIZ_RIGHT", "0.5"))
QUIZ_SPEC = {
    q["id"]: q for q in json.loads((CONTENT / QUIZ / "quiz.json").read_text())["questions"]
}
ATTEMPT_RE = re.compile(r"/attempts/(\d+)/")
# The attempt's status: on the attempt page (the article) and in its state fragment.
QUIZ_STATUS_RE = re.compile(
    r'(?:<article class="quiz"|<div id="quiz-state")[^>]*data-status="(\w+)"'
)
QUIZ_POLL_RE = re.compile(r'hx-get="([^"]+)"\s+hx-trigger="every (\d+)s"')
QUIZ_SCORE_RE = re.compile(r'id="quiz-score">([^<]*)<')
QUESTION_RE = re.compile(
    r'<fieldset class="question" id="question-([\w-]+)" data-kind="(\w+)">(.*?)</fieldset>', re.S
)
PROMPT_RE = re.compile(r'<div class="prompt">(.*?)</div>', re.S)
TAG_RE = re.compile(r"<[^>]+>")
NUMBER = r"(-?\s*\d+(?:\.\d+)?)"


def _prompt_text(html: str) -> str:
    """The prompt as a reader sees it: MathML and code flattened to text, a minus sign
    as '-'."""
    return " ".join(unescape(TAG_RE.sub(" ", html)).replace("\u2212", "-").split())


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    if found is None:
        raise LookupError(pattern)
    return float(found.group(1).replace(" ", ""))


def _numeric(qid: str, text: str) -> tuple[float, float]:
    """(right, wrong) for a numeric question, computed from the numbers its prompt shows;
    the wrong one is the value of a misconception the quiz names. LookupError when the
    prompt is not one of these."""
    if qid == "power-slope":  # y = x^2 at x = x0: 2 x0 (wrong: x0^2, y itself)
        x0 = _number(r"at x = " + NUMBER, text)
        return 2 * x0, x0 * x0
    if qid == "bce-dldz":  # label y, prediction p: p - y (wrong: the sign flipped)
        label = _number(r"label y = " + NUMBER, text)
        p = _number(r"\u03c3 \( z \) = " + NUMBER, text)
        return p - label, label - p
    if qid == "accumulate":  # three backward() of x**2 at a: 6a (wrong: one call's 2a)
        a = _number(r"torch\.tensor\( ?" + NUMBER, text)
        return 6 * a, 2 * a
    raise LookupError(qid)


def _quiz_answers(page: str, rng: random.Random) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The form fields for every question on the attempt page, and per question what
    was meant: "right", "wrong" or "unread" (a question this file cannot answer: left
    blank, so it scores 0)."""
    fields: list[tuple[str, str]] = []
    meant: dict[str, str] = {}
    for qid, kind, body in QUESTION_RE.findall(page):
        name = f"q_{qid}"
        spec = QUIZ_SPEC.get(qid)
        right = rng.random() < QUIZ_RIGHT
        values: list[str] = []
        try:
            if spec is None:
                raise LookupError(qid)
            if kind == "numeric":
                prompt = PROMPT_RE.search(body)
                good, bad = _numeric(qid, _prompt_text(prompt.group(1) if prompt else ""))
                values = [repr(round(good if right else bad, 10))]
            elif kind == "formula":
                values = [spec["solution"] if right else rng.choice(list(spec["wrong"].values()))]
            elif kind == "choice":
                correct = list(spec["correct"])
                others = [o["id"] for o in spec["options"] if o["id"] not in correct]
                values = correct if right else [rng.choice(others)]
            else:
                raise LookupError(kind)
        except LookupError:
            meant[qid] = "unread"
            continue
        meant[qid] = "right" if right else "wrong"
        fields += [(name, v) for v in values]
    return fields, meant


def _read(slug: str, name: str) -> str:
    for path in (CONTENT / slug / f"{name}.py", CONTENT / slug / f"{name}.txt"):
        if path.exists():
            return path.read_text().strip() if path.suffix == ".txt" else path.read_text()
    raise FileNotFoundError(f"{slug}/{name}")


def _wrong(slug: str) -> list[tuple[str, str]]:
    return [
        (p.stem, _read(slug, f"wrong/{p.stem}"))
        for p in sorted((CONTENT / slug / "wrong").iterdir())
    ]


EXERCISES = [
    "chain-rule",
    "nested-chain-rule",
    "bce-manual-gradients",
    "bce-autograd",
    "fix-runtime-error",
    "gradient-accumulation",
]
RIGHT = {slug: _read(slug, "solution") for slug in EXERCISES}
WRONG = {slug: _wrong(slug) for slug in EXERCISES}
SYNTAX = {
    "chain-rule": "2*x*cos(x**2",
    "nested-chain-rule": "3*(sin(x^2)^2 *",
    "bce-manual-gradients": "def grads(x, y, w, b)\n    return 1\n",
    "bce-autograd": "def loss(:\n",
    "fix-runtime-error": "x = torch.tensor([1.0], requires_grad=True\n",
    "gradient-accumulation": "for i in range(3)\n    pass\n",
}
LOOP = "import torch\nwhile True:\n    pass\n"  # fix-runtime-error is a script exercise
# kind -> weight; "timeout" is rationed separately (TIMEOUTS in total).
MIX = dict(
    (kind, float(weight))
    for kind, weight in (
        item.split("=")
        for item in os.environ.get("BENCH_MIX", "right=45,wrong=45,syntax=10").split(",")
    )
)

REQUESTS: list[tuple[str, float, int, str, float]] = []  # name, ms, status, phase, t
SUBMISSIONS: list[dict[str, Any]] = []
QUIZ_ATTEMPTS: list[dict[str, Any]] = []
STATE: dict[str, Any] = {
    "phase": "login",
    "logged_in": 0,
    "go_at": None,
    "stop_at": None,
    "timeouts_left": TIMEOUTS,
    "active": 0,
    "login_failed": 0,
}
GO = Event()
USERNAMES = iter(sorted(STUDENTS))


@events.request.add_listener
def _record(
    name: str, response_time: float, response: Any = None, exception: Any = None, **_: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0
    if exception is not None and not status:
        status = -1
    REQUESTS.append((name, response_time, int(status), STATE["phase"], time.time()))


class Student(FastHttpUser):
    def _cookies(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.client.cookiejar)}

    # Think time is drawn inside the task; locust itself does not wait between cycles.
    wait_time = staticmethod(lambda: 0)  # type: ignore[assignment]
    network_timeout = 60.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        self.username = next(USERNAMES)
        self.token = STUDENTS[self.username]
        self.via = "form" if (int(self.username[-4:]) * FORM_SHARE) % 1 < FORM_SHARE else "api"
        self.rng = random.Random(self.username)
        self.on_page: str | None = None
        self.page_text = ""
        # Spread the logins out a little, as people arrive.
        gevent.sleep(self.rng.uniform(0, 5))
        page = self.client.get("/accounts/login/", name="login: page", headers=self._cookies())
        token = CSRF_RE.search(page.text or "")
        response = self.client.post(
            "/accounts/login/",
            name="login: post",
            allow_redirects=False,
            headers=self._cookies(),
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
        )
        if response.status_code != 302:
            STATE["login_failed"] += 1
        self.client.get("/", name="page: exercise list", headers=self._cookies())
        STATE["logged_in"] += 1
        GO.wait(LOGIN_PHASE_MAX)

    @task
    def cycle(self) -> None:
        if STATE["stop_at"] is not None and time.time() >= STATE["stop_at"]:
            raise StopUser()
        STATE["active"] += 1
        try:
            if self.rng.random() < QUIZ_SHARE:
                self._one_quiz()
            else:
                self._one_answer()
        finally:
            STATE["active"] -= 1
        gevent.sleep(self.rng.expovariate(1.0 / THINK))

    def _choose(self) -> tuple[str, str, str, str]:
        """(kind, exercise, answer, expected misconception or "")."""
        # The looping answers are spread evenly over the run: the i-th becomes due at
        # i/TIMEOUTS of the way through, and the next student to submit sends it.
        elapsed = (time.time() - STATE["go_at"]) / DURATION if STATE["go_at"] else 0.0
        used = TIMEOUTS - STATE["timeouts_left"]
        if STATE["timeouts_left"] > 0 and elapsed * TIMEOUTS >= used:
            STATE["timeouts_left"] -= 1
            return "timeout", "fix-runtime-error", LOOP, ""
        kinds = list(MIX)
        kind = self.rng.choices(kinds, weights=[MIX[k] for k in kinds])[0]
        slug = self.on_page or self.rng.choice(EXERCISES)
        if kind == "right":
            return kind, slug, RIGHT[slug], ""
        if kind == "wrong":
            name, answer = self.rng.choice(WRONG[slug])
            return kind, slug, answer, name
        return "syntax", slug, SYNTAX[slug], ""

    def _one_answer(self) -> None:
        kind, slug, answer, misconception = self._choose()
        if PAGE_PER_ANSWER or slug != self.on_page or not self.page_text:
            page = self.client.get(
                f"/exercises/{slug}/", name="page: exercise", headers=self._cookies()
            )
            self.page_text = page.text or ""
        self.on_page = slug
        gevent.sleep(self.rng.expovariate(1.0 / THINK))
        if STATE["stop_at"] is not None and time.time() >= STATE["stop_at"]:
            return
        record: dict[str, Any] = {
            "kind": kind,
            "exercise": slug,
            "via": self.via,
            "misconception": misconception,
            "student": self.username,
            "t_submit": time.time(),
        }
        card = ""
        if self.via == "api":
            sub_id, status, card = self._submit_api(slug, answer)
        else:
            sub_id, status, card = self._submit_form(slug, answer, self.page_text)
        record["t_response"] = time.time()
        record["http"] = status
        record["id"] = sub_id
        SUBMISSIONS.append(record)
        if sub_id is None:
            return
        if self.via == "api":
            final = card if card in ("graded", "error") else self._poll_api(sub_id)
        else:
            final = self._poll_card(sub_id, card)
        if final:
            record["t_final"] = time.time()
            record["final"] = final
        if kind == "right":  # solved: on to another exercise
            self.on_page = None

    def _submit_api(self, slug: str, answer: str) -> tuple[int | None, int, str]:
        # ?wait: the response is the graded result (200) when it is final in time.
        response = self.client.post(
            f"/api/v1/submissions?wait={API_WAIT_SECONDS}",
            name="submit: api",
            json={"exercise": slug, "answer": answer},
            headers={"Authorization": f"Token {self.token}"},
        )
        if response.status_code in (200, 202):
            data = response.json()
            return int(data["id"]), response.status_code, str(data.get("status", ""))
        return None, response.status_code, ""

    def _submit_form(self, slug: str, answer: str, page: str) -> tuple[int | None, int, str]:
        # As htmx posts the form (hx-post): the answer is the result card, swapped in.
        token = CSRF_RE.search(page)
        response = self.client.post(
            f"/exercises/{slug}/",
            name="submit: form",
            allow_redirects=False,
            headers={**self._cookies(), "HX-Request": "true"},
            data={"answer": answer, "csrfmiddlewaretoken": token.group(1) if token else ""},
        )
        if response.status_code == 200:
            found = SUBMISSION_RE.search(response.headers.get("HX-Push-Url", ""))
            return (int(found.group(1)) if found else None), 200, response.text or ""
        return None, response.status_code, ""

    def _poll_api(self, sub_id: int) -> str | None:
        # A long poll: the server answers when the result is final (or after 15 s).
        deadline = time.time() + POLL_MAX
        while time.time() < deadline:
            response = self.client.get(
                f"/api/v1/submissions/{sub_id}?wait={API_WAIT_SECONDS}",
                name="poll: api",
                headers={"Authorization": f"Token {self.token}"},
            )
            if response.status_code == 200:
                status = response.json().get("status")
                if status in ("graded", "error"):
                    return str(status)
            else:
                gevent.sleep(1.0)
        return None

    def _poll_card(self, sub_id: int, card: str) -> str | None:
        # Follows the card's own hx-get / hx-trigger delay, as htmx does.
        deadline = time.time() + POLL_MAX
        text = card
        while time.time() < deadline:
            found = CARD_STATUS_RE.search(text)
            if found and found.group(1) in ("graded", "error"):
                return found.group(1)
            next_get = CARD_NEXT_RE.search(text)
            if next_get:
                url, delay = next_get.group(1).replace("&amp;", "&"), int(next_get.group(2)) / 1000
            else:
                url, delay = f"/submissions/{sub_id}/result?poll=1", 1.0
            gevent.sleep(delay)
            response = self.client.get(
                url, name="poll: result card", headers={**self._cookies(), "HX-Request": "true"}
            )
            text = response.text or ""
        return None

    def _one_quiz(self) -> None:
        page = self.client.get(f"/quizzes/{QUIZ}/", name="page: quiz", headers=self._cookies())
        token = CSRF_RE.search(page.text or "")
        start = self.client.post(
            f"/quizzes/{QUIZ}/start",
            name="quiz: start",
            allow_redirects=False,
            headers={**self._cookies(), "Content-Type": "application/x-www-form-urlencoded"},
            data=urlencode({"csrfmiddlewaretoken": token.group(1) if token else ""}),
        )
        location = urlsplit(start.headers.get("Location", "") or "").path
        record: dict[str, Any] = {"student": self.username, "start_http": start.status_code}
        found = ATTEMPT_RE.search(location)
        if start.status_code != 302 or found is None:
            record["refused_at"] = "start"
            QUIZ_ATTEMPTS.append(record)
            return
        record["number"] = int(found.group(1))
        page = self.client.get(location, name="page: quiz attempt", headers=self._cookies())
        text = page.text or ""
        fields, meant = _quiz_answers(text, self.rng)
        record["meant"] = meant
        token = CSRF_RE.search(text)
        gevent.sleep(self.rng.expovariate(1.0 / THINK))
        if STATE["stop_at"] is not None and time.time() >= STATE["stop_at"]:
            record["refused_at"] = "not submitted (the run ended)"
            QUIZ_ATTEMPTS.append(record)
            return
        record["t_submit"] = time.time()
        response = self.client.post(
            location,
            name="quiz: submit",
            allow_redirects=False,
            headers={**self._cookies(), "Content-Type": "application/x-www-form-urlencoded"},
            data=urlencode([("csrfmiddlewaretoken", token.group(1) if token else ""), *fields]),
        )
        record["t_response"] = time.time()
        record["http"] = response.status_code
        QUIZ_ATTEMPTS.append(record)
        if response.status_code != 302:
            record["refused_at"] = "submit"
            return
        # The browser follows the redirect to the attempt page.
        page = self.client.get(
            location, name="page: quiz attempt (after submit)", headers=self._cookies()
        )
        text = page.text or ""
        status = QUIZ_STATUS_RE.search(text)
        if status is None or status.group(1) == "in_progress":
            record["refused_at"] = "submit (the page still shows the form)"
            return
        record["accepted"] = True
        final, text = self._poll_quiz(location, text)
        if final:
            record["t_final"] = time.time()
            record["final"] = final
            score = QUIZ_SCORE_RE.search(text)
            record["score_seen"] = " ".join(score.group(1).split()) if score else None

    def _poll_quiz(self, location: str, text: str) -> tuple[str | None, str]:
        # The page's own poll (the state fragment, every N s) as htmx runs it; a page
        # that neither is final nor polls is reloaded after a second.
        deadline = time.time() + POLL_MAX
        while True:
            found = QUIZ_STATUS_RE.search(text)
            if found and found.group(1) in ("graded", "error"):
                return found.group(1), text
            if time.time() >= deadline:
                return None, text
            poll = QUIZ_POLL_RE.search(text)
            if poll:
                url, delay, name = unescape(poll.group(1)), float(poll.group(2)), "poll: quiz state"
                headers = {**self._cookies(), "HX-Request": "true"}
            else:
                url, delay, name = location, 1.0, "poll: quiz page reload"
                headers = self._cookies()
            gevent.sleep(delay)
            text = self.client.get(url, name=name, headers=headers).text or ""


def _conductor(environment: Any) -> None:
    """Login phase, then DURATION seconds of answers, then a bounded drain, then quit."""
    users = len(STUDENTS)
    t0 = time.time()
    while STATE["logged_in"] < users and time.time() - t0 < LOGIN_PHASE_MAX:
        gevent.sleep(0.2)
    STATE["login_seconds"] = time.time() - t0
    STATE["phase"] = "answers"
    STATE["go_at"] = time.time()
    STATE["stop_at"] = STATE["go_at"] + DURATION
    GO.set()
    gevent.sleep(DURATION)
    STATE["phase"] = "drain"
    drain_end = time.time() + POLL_MAX + 5
    while STATE["active"] > 0 and time.time() < drain_end:
        gevent.sleep(0.2)
    STATE["end_at"] = time.time()
    OUT.write_text(
        json.dumps(
            {
                "state": STATE,
                "requests": REQUESTS,
                "submissions": SUBMISSIONS,
                "quiz_attempts": QUIZ_ATTEMPTS,
            }
        )
    )
    environment.runner.quit()


@events.test_start.add_listener
def _start(environment: Any, **_: Any) -> None:
    gevent.spawn(_conductor, environment)
