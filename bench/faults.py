"""Faults while answers flow: every accepted answer still ends graded (or error, with a
message), none twice, with the right score.

    .venv/bin/python bench/faults.py                  # all faults, in order
    .venv/bin/python bench/faults.py --only pg-stop,redis-restart

Brings up the production shape on private services (tests/support/stack.py), with the sweep
made quick: GRADER_SWEEP_EVERY_SECONDS=2, GRADER_STUCK_AFTER_SECONDS=10 (defaults 15
and 60). 30 students submit through the API at ~6 answers/s for the whole run (right
and wrong answers to chain-rule and fix-runtime-error). One fault after another:

  timeout          looping answers, which outlive the sandbox's time limit
  worker-kill      kill -9 the prefork child that is running a (slow) job
  worker-kill-all  kill -9 a whole worker (main process, child, zygote); restarted 3 s later
  zygote-kill      kill -9 the sandbox zygote of the worker running a (slow) job
  redis-restart    Redis stopped with jobs queued (no persistence: the queue is lost)
                   and started again 3 s later
  pg-stop          PostgreSQL stopped (pg_ctl -m fast) for 5 s
  disk-fill        answers that fill their job's own tmpfs (64 MiB, 4096 files) while others run
  disk-fill-outside  256 MB written into both zygotes' /jobs from outside for 10 s (each
                     job mounts its own tmpfs there: none may notice)

After each: every answer accepted during it must be final within 60 s of recovery;
duplicates (more than one final write for a submission, from the status-log trigger)
must be 0; scores are checked (right = full marks, wrong = less and the misconception
named, looping = 0 with a time-limit message). Answers refused while a service is down
(5xx) are counted, not accepted. A line per fault, then the totals; the last line is
`submitted=N graded=N error=N lost=N duplicates=N`. Exit 1 if anything was lost or
graded twice. Full numbers: var/bench-results/faults-<time>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The harness lives in the test tree (tests/support/), shared with the fault tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.answers import FILLER, LOOP
from tests.support.stack import ROOT, Stack

CONTENT = ROOT / "exercises" / "content"
FAULT_ENV = {"GRADER_SWEEP_EVERY_SECONDS": "2", "GRADER_STUCK_AFTER_SECONDS": "10"}
PASSWORD = "fault-student-password-7"
RECOVERY_BOUND = 60.0
# How long to wait for a phase's answers; longer when the sweep is slowed to the defaults,
# so that a late answer is measured rather than cut off (it still counts as late).
WAIT_BOUND = {"seconds": RECOVERY_BOUND + 5}

FIX_RIGHT = (CONTENT / "fix-runtime-error" / "solution.py").read_text()
FIX_WRONG = {
    p.stem: p.read_text() for p in sorted((CONTENT / "fix-runtime-error" / "wrong").glob("*.py"))
}
CHAIN_WRONG = {
    p.stem: p.read_text().strip() for p in sorted((CONTENT / "chain-rule" / "wrong").glob("*.txt"))
}
SLOW_RIGHT = "import time\ntime.sleep(4)\n" + FIX_RIGHT


def _api(url: str, token: str, data: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(json.loads(response.read()))
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, dict(json.loads(exc.read() or b"{}"))
        except ValueError:
            return exc.code, {}
    except OSError as exc:
        return -1, {"error": str(exc)}


class Flow:
    """Students submitting at a steady rate in background threads, tagged by phase."""

    def __init__(self, stack: Stack, tokens: dict[str, str], rate: float = 6.0) -> None:
        self.stack = stack
        self.tokens = list(tokens.values())
        self.interval = len(self.tokens) / rate  # per student
        self.phase = "start"
        self.records: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.threads = [
            threading.Thread(target=self._student, args=(i, token), daemon=True)
            for i, token in enumerate(self.tokens)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=40)

    def _student(self, i: int, token: str) -> None:
        rng = random.Random(i)
        self.stop_event.wait(rng.uniform(0, self.interval))
        deadline = time.monotonic() + 3600  # bounded, whatever happens
        while not self.stop_event.is_set() and time.monotonic() < deadline:
            kind, slug, answer, misconception = self._choose(rng)
            record: dict[str, Any] = {
                "kind": kind,
                "exercise": slug,
                "misconception": misconception,
                "phase": self.phase,
                "t": time.time(),
            }
            status, body = _api(
                f"{self.stack.url}/api/v1/submissions", token, {"exercise": slug, "answer": answer}
            )
            record.update(
                http=status,
                id=body.get("id") if status == 202 else None,
                took=time.time() - record["t"],
            )
            if status != 202:
                record["message"] = str(body.get("error", ""))[:200]
            with self.lock:
                self.records.append(record)
            self.stop_event.wait(rng.uniform(0.5, 1.5) * self.interval)

    @staticmethod
    def _choose(rng: random.Random) -> tuple[str, str, str, str]:
        roll = rng.random()
        if roll < 0.3:
            return "right", "chain-rule", "2*x*cos(x**2)", ""
        if roll < 0.5:
            name, answer = rng.choice(sorted(CHAIN_WRONG.items()))
            return "wrong", "chain-rule", answer, name
        if roll < 0.8:
            return "right", "fix-runtime-error", FIX_RIGHT, ""
        name, answer = rng.choice(sorted(FIX_WRONG.items()))
        return "wrong", "fix-runtime-error", answer, name

    def of_phase(self, phase: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.records if r["phase"] == phase]


class Saboteur:
    """One more student who sends the special answers (slow, looping, disk-filling)."""

    def __init__(self, stack: Stack, token: str) -> None:
        self.stack, self.token = stack, token
        self.records: list[dict[str, Any]] = []

    def submit(
        self, kind: str, answer: str, phase: str, exercise: str = "fix-runtime-error"
    ) -> int:
        status, body = _api(
            f"{self.stack.url}/api/v1/submissions",
            self.token,
            {"exercise": exercise, "answer": answer},
        )
        if status != 202:
            raise RuntimeError(f"saboteur's {kind} answer refused: {status} {body}")
        self.records.append(
            {
                "kind": kind,
                "exercise": exercise,
                "misconception": "",
                "phase": phase,
                "t": time.time(),
                "http": 202,
                "id": body["id"],
            }
        )
        return int(body["id"])

    def wait_running(self, sub_id: int, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                rows = self.stack.sql(
                    "select status from grader_submission where id = %s", [sub_id]
                )
                if rows and rows[0][0] == "running":
                    return True
            time.sleep(0.1)
        return False


# -- the faults: each returns notes, with t_recovered (epoch) ----------------------


def fault_timeout(stack: Stack, flow: Flow, sab: Saboteur) -> dict[str, Any]:
    before = {i: stack.worker_pool_child(i) for i in range(stack.n_workers)}
    for _ in range(3):
        sab.submit("timeout", LOOP, "timeout")
        time.sleep(1.0)
    time.sleep(8)
    after = {i: stack.worker_pool_child(i) for i in range(stack.n_workers)}
    return {"t_recovered": time.time(), "worker_children_unchanged": before == after}


def _kill_mid_job(stack: Stack, sab: Saboteur, phase: str, what: str) -> dict[str, Any]:
    slow = sab.submit("right", SLOW_RIGHT, phase)
    if not sab.wait_running(slow):
        return {"t_recovered": time.time(), "note": "the slow job never started"}
    time.sleep(1.0)
    # The slow answer sleeps 4 s in the sandbox: the worker whose zygote has a job
    # child now is (almost always) running it; the claims in the log confirm it below.
    busy = stack.busy_workers()
    notes: dict[str, Any] = {"slow_id": slow, "busy_workers": busy}
    if not busy:
        notes["note"] = "no worker in a job at the time of the kill"
        notes["t_recovered"] = time.time()
        return notes
    i = busy[0]
    if what == "child":
        notes["killed"] = stack.kill_worker(i)
        notes["t_recovered"] = time.time()  # the main process forks a new child at once
    elif what == "whole":
        notes["killed"] = stack.kill_worker(i, whole=True)
        time.sleep(3)
        stack.worker_start(i)
        stack.worker_wait_ready(i)
        notes["t_recovered"] = time.time()
    else:
        zygote = stack.zygotes().get(i)
        notes["killed"] = [zygote]
        if zygote:
            os.kill(zygote, 9)
        notes["t_recovered"] = time.time()
    return notes


def fault_worker_kill(stack: Stack, flow: Flow, sab: Saboteur) -> dict[str, Any]:
    return _kill_mid_job(stack, sab, "worker-kill", "child")


def fault_worker_kill_all(stack: Stack, flow: Flow, sab: Saboteur) -> dict[str, Any]:
    return _kill_mid_job(stack, sab, "worker-kill-all", "whole")


def fault_zygote_kill(stack: Stack, flow: Flow, sab: Saboteur) -> dict[str, Any]:
    return _kill_mid_job(stack, sab, "zygote-kill", "zygote")


def fault_redis_restart(stack: Stack, flow: Flow, sab: Saboteur) -> dict[str, Any]:
    # A backlog first: slow answers hold both workers while the flow keeps queueing.
    for _ in range(2):
        sab.submit("right", SLOW_RIGHT, "redis-restart")
    deadline = time.monotonic() + 20
    depth = 0
    while time.monotonic() < deadline and depth < 5:
        depth = stack.queue_length()
        time.sleep(0.2)
    queued_rows = stack.sql("select count(*) from grader_submission where status = 'queued'")[0][0]
    stack.redis_stop()
    time.sleep(3)
    stack.redis_start()
    return {
        "t_recovered": time.time(),
        "messages_in_redis_at_stop": depth,
        "rows_queued_at_stop": queued_rows,
    }


def fault_pg_stop(stack: Stack, flow: Flow, sab: Saboteur) -> dict[str, Any]:
    if stack.db != "postgres":
        return {"t_recovered": time.time(), "note": "skipped: not on PostgreSQL"}
    sab.submit("right", SLOW_RIGHT, "pg-stop")  # a job in flight across the outage
    time.sleep(1.5)
    t0 = time.time()
    stack.pg_stop(mode="fast")
    time.sleep(5)
    stack.pg_start()
    return {"t_recovered": time.time(), "down_seconds": round(time.time() - t0, 1)}


def fault_disk_fill(stack: Stack, flow: Flow, sab: Saboteur) -> dict[str, Any]:
    ids = []
    for _ in range(4):
        ids.append(sab.submit("hostile", FILLER, "disk-fill"))
        time.sleep(1.5)
    time.sleep(5)
    return {"t_recovered": time.time(), "filler_ids": ids}


def fault_disk_fill_outside(stack: Stack, flow: Flow, sab: Saboteur) -> dict[str, Any]:
    filled: dict[int, int] = {}
    paths = []
    for i, zygote in stack.zygotes().items():
        path = Path(f"/proc/{zygote}/root/jobs/outside-fill")
        paths.append(path)
        written = 0
        try:
            with open(path, "wb") as out:
                chunk = b"\0" * (16 << 20)
                # The zygote's /jobs is a directory in bwrap's root tmpfs; every job mounts
                # its own tmpfs over it, so this must not reach any job (256 MB at most).
                for _ in range(16):
                    out.write(chunk)
                    written += len(chunk)
        except OSError as exc:
            if exc.errno != 28:
                written = -1
        filled[i] = written >> 20 if written >= 0 else -1
    time.sleep(10)
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()
    return {"t_recovered": time.time(), "filled_mb_per_worker": filled}


FAULTS: dict[str, Callable[[Stack, Flow, Saboteur], dict[str, Any]]] = {
    "timeout": fault_timeout,
    "worker-kill": fault_worker_kill,
    "worker-kill-all": fault_worker_kill_all,
    "zygote-kill": fault_zygote_kill,
    "redis-restart": fault_redis_restart,
    "pg-stop": fault_pg_stop,
    "disk-fill": fault_disk_fill,
    "disk-fill-outside": fault_disk_fill_outside,
}


def _finals(stack: Stack, ids: list[int]) -> dict[int, tuple[str, float | None, str]]:
    epoch = (
        "extract(epoch from graded_at)"
        if stack.db == "postgres"
        else "(julianday(graded_at) - 2440587.5) * 86400.0"
    )
    rows = stack._in_chunks(
        f"select id, status, {epoch}, error_message from grader_submission where id in ({{}})", ids
    )
    return {r[0]: (r[1], float(r[2]) if r[2] is not None else None, r[3] or "") for r in rows}


def check_phase(
    stack: Stack, name: str, records: list[dict[str, Any]], notes: dict[str, Any]
) -> dict[str, Any]:
    accepted = [r["id"] for r in records if r.get("id")]
    t_rec = notes["t_recovered"]
    waited = stack.wait_final(accepted, WAIT_BOUND["seconds"])
    finals = _finals(stack, accepted)
    late = []
    for r in records:
        if not r.get("id"):
            continue
        _status, graded_at, _ = finals.get(r["id"], ("missing", None, ""))
        if graded_at is None or graded_at - max(r["t"], t_rec) > RECOVERY_BOUND:
            late.append(r["id"])
    outcome = stack.outcome(accepted)
    scores = stack.scores_check([r for r in records if r.get("id")])
    refused: dict[str, int] = {}
    for r in records:
        if not r.get("id"):
            key = f"{r['http']}"
            refused[key] = refused.get(key, 0) + 1
    last_final = max((g for _, g, _ in finals.values() if g), default=t_rec)
    claims = stack._in_chunks(
        "select submission_id, count(*) from bench_status_log where submission_id in ({}) "
        "and new_status = 'running' group by submission_id",
        accepted,
    )
    errors = sorted({m for s, _, m in finals.values() if s == "error"})
    special = [
        r["id"]
        for r in records
        if r["kind"] in ("timeout", "hostile") or r["id"] == notes.get("slow_id")
    ]
    seen = stack._in_chunks(
        "select id, status, score, results, error_message, timings from grader_submission "
        "where id in ({})",
        special,
    )
    specials = [
        {
            "id": sid,
            "status": status,
            "score": score,
            "output": (results if isinstance(results, dict) else json.loads(results or "{}")).get(
                "output", ""
            )[:160]
            or error_message[:160],
            "sandbox_ms": (
                timings if isinstance(timings, dict) else json.loads(timings or "{}")
            ).get("sandbox_ms"),
        }
        for sid, status, score, results, error_message, timings in seen
    ]
    result = {
        "fault": name,
        "accepted": len(accepted),
        "refused_by_status": refused,
        "refused_examples": sorted({r.get("message", "") for r in records if not r.get("id")})[:3],
        "by_status": outcome.by_status,
        "lost": outcome.lost,
        "duplicates": outcome.duplicates,
        "reclaimed": outcome.reclaimed,
        "claims_of_special": {sid: n for sid, n in claims if sid in {notes.get("slow_id")}},
        "special_answers": specials,
        "errors_without_message": outcome.errors_unreadable,
        "error_messages": errors,
        "late_over_60s_after_recovery": late,
        "last_final_after_recovery_s": round(last_final - t_rec, 1),
        "wait_seconds": round(waited, 1),
        "scores": scores,
        "notes": {k: v for k, v in notes.items() if k != "t_recovered"},
        "line": outcome.line(),
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="", help="comma-separated fault names")
    parser.add_argument("--rate", type=float, default=6.0, help="answers per second from the flow")
    parser.add_argument(
        "--keep", action="store_true", help="keep var/faults-<pid>/ (logs, database)"
    )
    parser.add_argument(
        "--stuck-after",
        default=FAULT_ENV["GRADER_STUCK_AFTER_SECONDS"],
        help="GRADER_STUCK_AFTER_SECONDS for the run (app default 60)",
    )
    parser.add_argument(
        "--sweep-every",
        default=FAULT_ENV["GRADER_SWEEP_EVERY_SECONDS"],
        help="GRADER_SWEEP_EVERY_SECONDS for the run (app default 15)",
    )
    args = parser.parse_args()
    chosen = [f for f in (args.only.split(",") if args.only else FAULTS) if f]
    unknown = [f for f in chosen if f not in FAULTS]
    if unknown:
        parser.error(f"unknown faults: {unknown}; known: {', '.join(FAULTS)}")

    env = {
        "GRADER_STUCK_AFTER_SECONDS": str(args.stuck_after),
        "GRADER_SWEEP_EVERY_SECONDS": str(args.sweep_every),
    }
    WAIT_BOUND["seconds"] = (
        max(RECOVERY_BOUND, float(args.stuck_after) + 3 * float(args.sweep_every) + 30) + 5
    )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report: dict[str, Any] = {
        "started": stamp,
        "env": env,
        "loadavg_before": os.getloadavg(),
        "faults": [],
    }
    line = "submitted=0 graded=0 error=0 lost=0 duplicates=0"
    failed = True
    with Stack(name="faults", env=env, keep=args.keep) as stack:
        tokens = stack.students_create(30, password=PASSWORD)
        sab = Saboteur(
            stack,
            next(iter(stack.students_create(1, prefix="saboteur", password=PASSWORD).values())),
        )
        for _ in range(2):  # start both zygotes
            sab.submit("right", FIX_RIGHT, "warm-up")
        stack.wait_final([r["id"] for r in sab.records], 120)
        flow = Flow(stack, tokens, rate=args.rate)
        flow.start()
        try:
            time.sleep(5)
            for name in chosen:
                flow.phase = name
                stack.say(f"fault: {name}")
                time.sleep(3)
                notes = FAULTS[name](stack, flow, sab)
                time.sleep(5)  # answers keep coming after the recovery
                flow.phase = f"after-{name}"
                records = flow.of_phase(name) + [r for r in sab.records if r["phase"] == name]
                result = check_phase(stack, name, records, notes)
                report["faults"].append(result)
                stack.say(
                    f"{name}: {result['line']} refused={result['refused_by_status']} "
                    f"last final {result['last_final_after_recovery_s']} s after recovery"
                )
        finally:
            flow.stop()
        everything = [r for r in flow.records + sab.records if r.get("id")]
        stack.wait_final([r["id"] for r in everything], WAIT_BOUND["seconds"])
        total = stack.outcome([r["id"] for r in everything])
        report["total"] = {
            **total.__dict__,
            "scores": stack.scores_check(everything),
            "refused": sum(1 for r in flow.records if not r.get("id")),
            "saved_but_refused": stack.saved_not_accepted([r["id"] for r in everything]),
        }
        line = total.line()
        failed = bool(total.lost or total.duplicates)
    report["loadavg_after"] = os.getloadavg()
    out = ROOT / "var" / "bench-results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"faults-{stamp}.json").write_text(json.dumps(report, indent=2, default=str))
    for f in report["faults"]:
        print(
            f"{f['fault']:18s} {f['line']}  refused={f['refused_by_status']} "
            f"reclaimed={f['reclaimed']} late={len(f['late_over_60s_after_recovery'])} "
            f"last-final-after-recovery={f['last_final_after_recovery_s']}s "
            f"wrong-scores={f['scores']['wrong_scores']} notes={f['notes']}"
        )
        for sp in f["special_answers"]:
            print(
                f"{'':18s} special #{sp['id']}: {sp['status']} score={sp['score']} "
                f"sandbox_ms={sp['sandbox_ms']} {sp['output']!r}"
            )
        if f["claims_of_special"]:
            print(f"{'':18s} claims of the slow answer: {f['claims_of_special']}")
        if f["error_messages"]:
            print(f"{'':18s} error messages: {f['error_messages']}")
        if f["refused_examples"]:
            print(f"{'':18s} refusals: {f['refused_examples']}")
    print(
        f"total: refused={report['total']['refused']} "
        f"saved-but-refused={report['total']['saved_but_refused']} "
        f"reclaimed={report['total']['reclaimed']} "
        f"wrong-scores={report['total']['scores']['wrong_scores']}"
    )
    print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
