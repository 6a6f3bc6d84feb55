"""Load: 200 students log in, open exercises and submit, and take the quiz, for 2 minutes;
nothing is lost.

    .venv/bin/python bench/load.py                 # 200 students, 120 s, the default mix
    .venv/bin/python bench/load.py --students 50 --duration 30
    .venv/bin/python bench/load.py --code-dir /path/to/other/checkout   # its app, this bench

Brings up the production shape on private services (tests/support/stack.py: PostgreSQL,
Redis, gunicorn with 2 threaded processes as in docker-compose.yml
(autograd_course/gunicorn_conf.py), two `celery worker
--concurrency 1` processes, celery beat), creates the students, warms both sandbox
zygotes, runs the students with locust (bench/locustfile.py, one process, headless),
waits (bounded) until every accepted submission is final, and reports: accepted,
rejected by status (400 syntax errors, 429 rate limit, 503 busy), graded, errored,
lost, duplicates, submit→score p50/p95 (server side from the rows: graded_at -
submitted_at; and as the students saw it, including their poll interval), page p95,
graded per second, whether the scores are right, and where the CPU went.

One cycle in five (--quiz-share) is the course quiz instead of one answer: start an
attempt, answer every question (right or wrong by --quiz-right), submit, and watch the
page until it shows the score (bench/locustfile.py). The quiz attempts are reported on
their own (accepted, graded, errored, lost, duplicates from the rows and the status
trigger, as for submissions; whether every graded question scored as meant;
submit→score p50/p95 from the rows and as the students saw it). The bench lifts the
quiz's attempt limit in its database, so that the quiz share stays what was asked for.

--code-dir runs the app of another checkout of the project (e.g. a git worktree of an
older commit) under this bench: the same students, mix and report against both codes
(bench/paired_load.sh alternates two of them).

The app's limits are left at their defaults (30 submissions per student per minute,
5 s sandbox wall limit, queue bound 5000); the students' pace keeps them under the
rate limit and any 429 is counted, never as accepted. Writes the full numbers to
var/bench-results/load-<time>.json. The last line of output is
`submitted=N graded=N error=N lost=N duplicates=N` over submissions and quiz attempts
together, after a line `quizzes: submitted=N graded=N error=N lost=N duplicates=N
submit->score p50=… p95=…` for the quiz attempts alone; exit status 1 if anything was
lost or graded twice.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

# The harness lives in the test tree (tests/support/), shared with the fault tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.stack import PY, ROOT, Outcome, Stack

PASSWORD = "bench-student-password-7"


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def _api(url: str, token: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return dict(json.loads(response.read()))


def warm_up(stack: Stack, token: str) -> list[int]:
    """A few answers so that both workers have started their zygote before the clock."""
    ids = [
        _api(f"{stack.url}/api/v1/submissions", token, {"exercise": slug, "answer": answer})["id"]
        for slug, answer in [("chain-rule", "2*x*cos(x**2)")] * 4
    ]
    stack.wait_final(ids, 120)
    return ids


def cpu_trees(stack: Stack, locust_pid: int | None) -> dict[str, list[psutil.Process]]:
    trees: dict[str, list[int]] = {name: [p.pid] for name, p in stack.procs.items() if p.alive()}
    if stack.db == "postgres":
        pidfile = stack.pg_dir / "data" / "postmaster.pid"
        if pidfile.exists():
            trees["postgres"] = [int(pidfile.read_text().split()[0])]
    if locust_pid:
        trees["locust"] = [locust_pid]
    out: dict[str, list[psutil.Process]] = {}
    for name, roots in trees.items():
        procs: list[psutil.Process] = []
        for pid in roots:
            try:
                root = psutil.Process(pid)
                procs += [root, *root.children(recursive=True)]
            except psutil.Error:
                pass
        if name.startswith("worker") and procs:
            # Celery's main process, its prefork child (Django, the grading service),
            # and the sandbox (bwrap, the zygote and its reaped job children).
            out[f"{name}.main"] = procs[:1]
            out[f"{name}.child"] = [p for p in procs[1:] if _is_celery(p)]
            out[f"{name}.sandbox"] = [p for p in procs[1:] if not _is_celery(p)]
        else:
            out[name] = procs
    return out


def _is_celery(p: psutil.Process) -> bool:
    try:
        return "celery" in " ".join(p.cmdline())
    except psutil.Error:
        return False


def cpu_seconds(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


class CpuMeter:
    """CPU seconds per component between start() and stop(), and the machine's total."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.before: dict[str, float] = {}
        self.after: dict[str, float] = {}

    def _machine_busy(self) -> float:
        t = psutil.cpu_times()
        return float(t.user + t.nice + t.system + t.irq + t.softirq + t.steal)

    def sample(self, locust_pid: int | None) -> dict[str, float]:
        sample = {
            name: cpu_seconds(procs) for name, procs in cpu_trees(self.stack, locust_pid).items()
        }
        sample["_machine"] = self._machine_busy()
        sample["_wall"] = time.monotonic()
        return sample

    @staticmethod
    def delta(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
        out = {
            k: round(after[k] - before.get(k, after[k]), 1) for k in after if not k.startswith("_")
        }
        out["machine_busy"] = round(after["_machine"] - before["_machine"], 1)
        out["wall"] = round(after["_wall"] - before["_wall"], 1)
        out["others_on_machine"] = round(
            out["machine_busy"]
            - sum(v for k, v in out.items() if k not in ("machine_busy", "wall")),
            1,
        )
        return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--duration", type=float, default=120.0)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time (s), twice per answer"
    )
    parser.add_argument("--timeouts", type=int, default=10, help="looping answers in the whole run")
    parser.add_argument("--form-share", type=float, default=0.5)
    parser.add_argument("--mix", default="right=45,wrong=45,syntax=10")
    parser.add_argument(
        "--quiz-share", type=float, default=0.2, help="share of cycles that take the quiz"
    )
    parser.add_argument(
        "--quiz-right", type=float, default=0.5, help="share of quiz questions answered right"
    )
    parser.add_argument(
        "--code-dir",
        type=Path,
        default=None,
        help="run the app of this checkout of the project (default: this one)",
    )
    parser.add_argument(
        "--page-per-answer",
        action="store_true",
        help="open the exercise page before every answer (default: only for a new exercise; "
        "after a wrong answer students fix it on the same page, as htmx allows)",
    )
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--web-threads", type=int, default=64, help="threads per gunicorn process")
    parser.add_argument(
        "--celery-workers", type=int, default=2, help="worker processes (--concurrency 1 each)"
    )
    parser.add_argument("--keep", action="store_true", help="keep var/load-<pid>/ (logs, database)")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the stack's web, workers and beat (repeatable), e.g. to compare "
        "DB_SERVER_SIDE_BINDING=0 with the default",
    )
    args = parser.parse_args()

    results_dir = ROOT / "var" / "bench-results"
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {
        "args": vars(args),
        "started": stamp,
        "loadavg_before": os.getloadavg(),
    }
    line = "submitted=0 graded=0 error=0 lost=0 duplicates=0"
    quiz_line = "quizzes: " + line
    failed = True
    with Stack(
        name="load",
        web_workers=args.web_workers,
        web_threads=args.web_threads,
        celery_workers=args.celery_workers,
        env=dict(item.split("=", 1) for item in args.env),
        keep=args.keep,
        code=args.code_dir,
    ) as stack:
        report["code"] = {"dir": str(stack.code), "commit": _commit(stack.code)}
        stack.say(f"app code: {stack.code} at {report['code']['commit']}")
        stack.sql("update exercises_quiz set attempt_limit = null")
        tokens = stack.students_create(args.students, password=PASSWORD)
        warm = stack.students_create(1, prefix="warmup", password=PASSWORD)
        warm_ids = warm_up(stack, next(iter(warm.values())))
        students_file = stack.dir / "students.json"
        students_file.write_text(json.dumps(tokens))
        out_file = stack.dir / "locust-out.json"
        env = {
            **os.environ,
            "BENCH_STUDENTS_FILE": str(students_file),
            "BENCH_PASSWORD": PASSWORD,
            "BENCH_OUT": str(out_file),
            "BENCH_DURATION": str(args.duration),
            "BENCH_THINK": str(args.think),
            "BENCH_TIMEOUTS": str(args.timeouts),
            "BENCH_FORM_SHARE": str(args.form_share),
            "BENCH_MIX": args.mix,
            "BENCH_PAGE_PER_ANSWER": "1" if args.page_per_answer else "0",
            "BENCH_QUIZ_SHARE": str(args.quiz_share),
            "BENCH_QUIZ_RIGHT": str(args.quiz_right),
        }
        meter = CpuMeter(stack)
        stack.say(f"locust: {args.students} students, {args.duration:.0f} s of answers")
        locust = subprocess.Popen(
            [
                PY,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.students),
                "-r",
                str(args.students),
                "--host",
                stack.url,
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--stop-timeout",
                "10",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(stack.dir / "locust.log", "wb"),  # noqa: SIM115
            start_new_session=True,
        )
        try:
            # CPU is sampled over the answer phase only (the login phase is its own).
            deadline = time.monotonic() + 240 + args.duration + 120
            first: dict[str, float] | None = None
            last: dict[str, float] | None = None
            while locust.poll() is None and time.monotonic() < deadline:
                if first is None and _phase(stack) == "answers":
                    first = meter.sample(locust.pid)
                    stack.pg_statements_reset()
                elif (
                    first is not None
                    and last is None
                    and (time.monotonic() - first["_wall"] >= args.duration)
                ):
                    last = meter.sample(locust.pid)
                    report["pg_statements"] = stack.pg_statements()
                time.sleep(0.5)
            if locust.poll() is None:
                raise RuntimeError("locust did not finish in time")
        finally:
            if locust.poll() is None:
                os.killpg(locust.pid, 9)
                locust.wait(10)
        data = json.loads(out_file.read_text())
        state, subs, requests = data["state"], data["submissions"], data["requests"]
        accepted = [s["id"] for s in subs if s.get("id")]
        waited = stack.wait_final(accepted, 120)
        outcome = stack.outcome(accepted)
        report["drain_seconds_after_locust"] = round(waited, 1)
        report["outcome"] = {
            **outcome.__dict__,
            "lost": outcome.lost[:50],
            "duplicates": outcome.duplicates[:50],
        }
        report["scores"] = stack.scores_check(subs)
        report["saved_but_refused"] = stack.saved_not_accepted(accepted)
        report["warmup_ids"] = warm_ids
        report.update(_metrics(stack, state, subs, requests, accepted))
        quiz_ids = _quiz_ids(stack, data.get("quiz_attempts", []))
        report["quiz_drain_seconds_after_locust"] = round(
            stack.wait_final(quiz_ids, 120, quiz=True), 1
        )
        quiz_outcome = stack.outcome(quiz_ids, quiz=True)
        report["quiz_outcome"] = {
            **quiz_outcome.__dict__,
            "lost": quiz_outcome.lost[:50],
            "duplicates": quiz_outcome.duplicates[:50],
        }
        report["quiz"] = _quiz_metrics(stack, state, data.get("quiz_attempts", []), quiz_ids)
        if first is not None and last is not None:
            report["cpu"] = CpuMeter.delta(first, last)
        report["loadavg_after"] = os.getloadavg()
        quiz_line = "quizzes: " + quiz_outcome.line() + _quiz_times(report["quiz"])
        line = _together(outcome, quiz_outcome).line()
        failed = bool(
            outcome.lost or outcome.duplicates or quiz_outcome.lost or quiz_outcome.duplicates
        )
    (results_dir / f"load-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    _print(report)
    print(quiz_line)
    print(line)
    return 1 if failed else 0


def _phase(stack: Stack) -> str:
    """The locust process writes no progress; infer the answer phase from the rows."""
    rows = stack.sql(
        "select (select count(*) from grader_submission s join auth_user u "
        "on u.id = s.student_id where u.username like 'student%') + (select count(*) "
        "from exercises_quizattempt a join auth_user u on u.id = a.student_id "
        "where u.username like 'student%')"
    )
    return "answers" if rows and rows[0][0] > 0 else "login"


def _commit(code: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(code), "log", "-1", "--format=%h %s"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()[:100] or "unknown"


def _together(a: Outcome, b: Outcome) -> Outcome:
    """Submissions and quiz attempts counted as one (the last line)."""
    return Outcome(
        submitted=a.submitted + b.submitted,
        graded=a.graded + b.graded,
        error=a.error + b.error,
        lost=a.lost + b.lost,
        duplicates=a.duplicates + b.duplicates,
        reclaimed=a.reclaimed + b.reclaimed,
        errors_unreadable=a.errors_unreadable + b.errors_unreadable,
    )


def _quiz_rows(stack: Stack) -> dict[tuple[str, int], tuple[Any, ...]]:
    """(student, attempt number) -> (id, status, submitted_at, graded_at, results) of the
    students' quiz attempts; times as epoch seconds."""
    epoch = (
        "extract(epoch from {})"
        if stack.db == "postgres"
        else "(julianday({}) - 2440587.5) * 86400.0"
    )
    rows = stack.sql(
        f"select u.username, a.number, a.id, a.status, {epoch.format('a.submitted_at')}, "
        f"{epoch.format('a.graded_at')}, a.results from exercises_quizattempt a "
        "join auth_user u on u.id = a.student_id where u.username like 'student%'"
    )
    return {(r[0], int(r[1])): r[2:] for r in rows}


def _quiz_ids(stack: Stack, attempts: list[dict[str, Any]]) -> list[int]:
    """The ids of the attempts whose submit the students saw accepted."""
    rows = _quiz_rows(stack)
    return [
        int(rows[(a["student"], a["number"])][0])
        if (a["student"], a["number"]) in rows
        else -1  # accepted, yet no such row: counted as lost
        for a in attempts
        if a.get("accepted")
    ]


def _quiz_metrics(
    stack: Stack, state: dict[str, Any], attempts: list[dict[str, Any]], accepted: list[int]
) -> dict[str, Any]:
    go, stop = state["go_at"], state["stop_at"]
    rows = _quiz_rows(stack)
    server, graded_times = [], []
    checked, wrong_scores, examples = 0, 0, []
    for a in attempts:
        row = rows.get((a["student"], a.get("number", -1)))
        if not a.get("accepted") or row is None:
            continue
        _id, status, submitted, graded, results = row
        if graded is not None and submitted is not None:
            server.append(float(graded) - float(submitted))
        if status != "graded":
            continue
        graded_times.append(float(graded))
        results = results if isinstance(results, dict) else json.loads(results or "{}")
        got = {t["question"]: t["status"] for t in results.get("tests", [])}
        checked += 1
        # Meant right: passed; meant wrong or left blank: not passed.
        bad = {
            q: (meant, got.get(q))
            for q, meant in a.get("meant", {}).items()
            if (got.get(q) == "passed") != (meant == "right")
        }
        if bad:
            wrong_scores += 1
            examples.append({"id": _id, "questions": bad})
    client = [a["t_final"] - a["t_submit"] for a in attempts if a.get("t_final")]
    refused: dict[str, int] = {}
    for a in attempts:
        if a.get("refused_at"):
            refused[a["refused_at"]] = refused.get(a["refused_at"], 0) + 1
    told = set(accepted)
    in_window = [t for t in graded_times if go <= t <= stop]
    return {
        "started": sum(1 for a in attempts if a.get("number")),
        "accepted": len(accepted),
        "not_accepted": refused,
        "submitted_although_not_accepted": sorted(
            int(r[0])
            for r in rows.values()
            if r[1] not in ("in_progress",) and int(r[0]) not in told
        ),
        "questions_meant": {
            kind: sum(1 for a in attempts for m in a.get("meant", {}).values() if m == kind)
            for kind in ("right", "wrong", "unread")
        },
        "scores": {
            "checked": checked,
            "wrong_scores": wrong_scores,
            "examples": examples[:10],
        },
        "submit_to_score_server_ms": {
            "p50": round(pct(server, 50) * 1000),
            "p95": round(pct(server, 95) * 1000),
            "note": "graded_at - submitted_at from the rows",
        },
        "submit_to_score_client_ms": {
            "p50": round(pct(client, 50) * 1000),
            "p95": round(pct(client, 95) * 1000),
            "note": "submit request start -> the page or state fragment that showed the score",
        },
        "graded_per_second_window": round(len(in_window) / max(stop - go, 1e-9), 2),
        "graded_in_window": len(in_window),
        "worker_ms": _quiz_worker_times(stack, accepted),
    }


def _quiz_worker_times(stack: Stack, ids: list[int]) -> dict[str, Any]:
    """Queue wait (submitted -> claimed) and grading (claimed -> graded) of the quiz
    attempts, where a worker grades them; code that grades quizzes in the web request
    has no claim time (grading_started_at), and this says so."""
    seconds = (
        "extract(epoch from {} - {})"
        if stack.db == "postgres"
        else "(julianday({}) - julianday({})) * 86400.0"
    )
    try:
        rows = stack._in_chunks(
            f"select {seconds.format('grading_started_at', 'submitted_at')}, "
            f"{seconds.format('graded_at', 'grading_started_at')} "
            "from exercises_quizattempt where id in ({}) and graded_at is not null",
            ids,
        )
    except Exception as exc:  # psycopg's UndefinedColumn, sqlite's OperationalError
        return {"note": f"no claim time in this code: {str(exc).splitlines()[0][:80]}"}
    queue = [float(q) for q, _ in rows if q is not None]
    grade = [float(g) for _, g in rows if g is not None]
    return {
        "queue": {"p50": round(pct(queue, 50) * 1000), "p95": round(pct(queue, 95) * 1000)},
        "grade": {"p50": round(pct(grade, 50) * 1000), "p95": round(pct(grade, 95) * 1000)},
    }


def _quiz_times(quiz: dict[str, Any]) -> str:
    client = quiz["submit_to_score_client_ms"]
    return f" submit->score p50={client['p50']}ms p95={client['p95']}ms"


def _metrics(
    stack: Stack,
    state: dict[str, Any],
    subs: list[dict[str, Any]],
    requests: list[list[Any]],
    accepted: list[int],
) -> dict[str, Any]:
    go, stop = state["go_at"], state["stop_at"]
    rows = stack._in_chunks(
        "select id, status, extract(epoch from submitted_at), extract(epoch from graded_at) "
        "from grader_submission where id in ({})"
        if stack.db == "postgres"
        else "select id, status, (julianday(submitted_at) - 2440587.5) * 86400.0, "
        "(julianday(graded_at) - 2440587.5) * 86400.0 "
        "from grader_submission where id in ({})",
        accepted,
    )
    kind = {s["id"]: s["kind"] for s in subs if s.get("id")}
    server_all, server_no_timeouts, server_steady, graded_times = [], [], [], []
    for sid, status, submitted, graded in rows:
        if graded is None:
            continue
        took = float(graded) - float(submitted)
        server_all.append(took)
        if kind.get(sid) != "timeout":
            server_no_timeouts.append(took)
            # After the start-up burst (all 200 students begin at the same instant).
            if float(submitted) >= go + 15:
                server_steady.append(took)
        if status == "graded":
            graded_times.append(float(graded))
    client = [
        s["t_final"] - s["t_submit"] for s in subs if s.get("t_final") and s["kind"] != "timeout"
    ]
    http: dict[str, int] = {}
    for s in subs:
        http[str(s["http"])] = http.get(str(s["http"]), 0) + 1
    by_name: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    for name, ms, status, phase, _t in requests:
        if phase == "login" and not name.startswith("login"):
            name = f"{name} (login phase)"
        by_name.setdefault(name, []).append(ms)
        if status >= 500 or status < 0:
            failures[f"{name} {status}"] = failures.get(f"{name} {status}", 0) + 1
    pages = [
        ms
        for name, ms, _s, phase, _t in requests
        if phase != "login" and name in ("page: exercise", "page: exercise list")
    ]
    pages_steady = [
        ms
        for name, ms, _s, phase, t in requests
        if phase != "login" and name in ("page: exercise", "page: exercise list") and t >= go + 15
    ]
    in_window = [t for t in graded_times if go <= t <= stop]
    steady = [t for t in graded_times if go + 15 <= t <= stop]
    return {
        "login_phase_seconds": round(state.get("login_seconds", 0), 1),
        "login_failed": state.get("login_failed", 0),
        "answer_phase_seconds": round(stop - go, 1),
        "submit_http_status": http,
        "kinds_accepted": {
            k: sum(1 for s in subs if s.get("id") and s["kind"] == k)
            for k in ("right", "wrong", "timeout", "syntax")
        },
        "submit_to_score_server_ms": {
            "p50": round(pct(server_no_timeouts, 50) * 1000),
            "p95": round(pct(server_no_timeouts, 95) * 1000),
            "p99": round(pct(server_no_timeouts, 99) * 1000),
            "max_incl_timeouts": round(max(server_all, default=0) * 1000),
            "steady_after_15s_p50": round(pct(server_steady, 50) * 1000),
            "steady_after_15s_p95": round(pct(server_steady, 95) * 1000),
            "note": "graded_at - submitted_at from the rows; looping answers excluded (they take >= 5 s by design)",
        },
        "submit_to_score_client_ms": {
            "p50": round(pct(client, 50) * 1000),
            "p95": round(pct(client, 95) * 1000),
            "note": "submit request start -> the response that showed the final status (the submit itself, or a long poll)",
        },
        "page_ms": {
            "p50": round(pct(pages, 50)),
            "p95": round(pct(pages, 95)),
            "count": len(pages),
            "p95_after_15s": round(pct(pages_steady, 95)),
        },
        "requests_ms": {
            name: {
                "count": len(v),
                "p50": round(pct(v, 50)),
                "p95": round(pct(v, 95)),
                "max": round(max(v)),
            }
            for name, v in sorted(by_name.items())
        },
        "http_failures": failures,
        "graded_in_window": len(in_window),
        "graded_per_second": {
            "window": round(len(in_window) / max(stop - go, 1e-9), 1),
            "steady_after_15s": round(len(steady) / max(stop - go - 15, 1e-9), 1),
        },
        "grading_timings_ms": _timings(stack, [i for i in accepted if kind.get(i) != "timeout"]),
    }


def _timings(stack: Stack, ids: list[int]) -> dict[str, dict[str, float]]:
    """The service's own timings per graded submission (queue wait, sandbox, whole grade)."""
    rows = stack._in_chunks("select timings from grader_submission where id in ({})", ids)
    values: dict[str, list[float]] = {}
    for (timings,) in rows:
        timings = timings if isinstance(timings, dict) else json.loads(timings or "{}")
        for key, value in timings.items():
            if isinstance(value, int | float):
                values.setdefault(key, []).append(float(value))
    return {
        key: {"p50": round(pct(v, 50), 1), "p95": round(pct(v, 95), 1)}
        for key, v in sorted(values.items())
    }


def _print(report: dict[str, Any]) -> None:
    out = report.get("outcome", {})
    print(
        f"answers phase {report.get('answer_phase_seconds')} s after a login phase of "
        f"{report.get('login_phase_seconds')} s; load average before {report['loadavg_before']}"
    )
    print(
        f"submit HTTP status: {report.get('submit_http_status')}  accepted by kind: {report.get('kinds_accepted')}"
    )
    print(
        f"final: {out.get('by_status')}  re-claimed after a crash: {out.get('reclaimed')}  "
        f"errors without a message: {len(out.get('errors_unreadable', []))}"
    )
    print(
        f"scores checked {report['scores']['checked']}, wrong {report['scores']['wrong_scores']}; "
        f"rows saved although the student got an error: {report.get('saved_but_refused')}"
    )
    print(f"graded/s (answers): {report.get('graded_per_second')}")
    print(f"submit->score server: {report.get('submit_to_score_server_ms')}")
    print(f"submit->score client: {report.get('submit_to_score_client_ms')}")
    print(f"page ms: {report.get('page_ms')}")
    print(f"grading timings (service, ms): {report.get('grading_timings_ms')}")
    for name, stats in report.get("requests_ms", {}).items():
        print(f"  {name:40s} {stats}")
    print(f"HTTP 5xx / connection failures: {report.get('http_failures')}")
    print(f"CPU seconds: {report.get('cpu')}")
    pg = report.get("pg_statements") or {}
    graded = (out.get("graded") or 0) + ((report.get("quiz_outcome") or {}).get("graded") or 0)
    if pg and graded:
        print(
            f"PostgreSQL in the answer phase: {pg['calls']} statements "
            f"({pg['calls'] / graded:.1f} per graded answer or quiz attempt), "
            f"{pg['exec_ms'] / 1000:.1f} s executing; top:"
        )
        for row in pg["top"][:8]:
            print(f"  {row['calls']:7d} calls {row['exec_ms']:9.1f} ms  {row['query'][:110]}")
    print(f"drain after the students stopped: {report.get('drain_seconds_after_locust')} s")
    quiz = report.get("quiz") or {}
    qout = report.get("quiz_outcome") or {}
    if quiz:
        print(f"app code: {report.get('code')}")
        print(
            f"quiz: started {quiz['started']}, accepted {quiz['accepted']}, not accepted "
            f"{quiz['not_accepted']}, final {qout.get('by_status')}, rows submitted although "
            f"the student was not told: {quiz['submitted_although_not_accepted'][:20]}"
        )
        print(
            f"quiz questions meant: {quiz['questions_meant']}; attempts checked "
            f"{quiz['scores']['checked']}, with a question scored against what was meant "
            f"{quiz['scores']['wrong_scores']} {quiz['scores']['examples'][:3]}"
        )
        answers = report.get("graded_in_window", 0)
        window = max(report.get("answer_phase_seconds") or 0, 1e-9)
        print(
            f"quiz graded/s in the window: {quiz['graded_per_second_window']}; answers and "
            f"quiz attempts together: {(answers + quiz['graded_in_window']) / window:.1f}/s"
        )
        print(f"quiz submit->score server: {quiz['submit_to_score_server_ms']}")
        print(f"quiz submit->score client: {quiz['submit_to_score_client_ms']}")
        print(f"quiz in the workers (ms): {quiz['worker_ms']}")


if __name__ == "__main__":
    sys.exit(main())
