"""The production shape on this machine, on private services, for the fault tests
(tests/faults/) and the load and fault runs of bench/.

    with Stack(name="load") as stack:     # PostgreSQL, Redis, gunicorn, 2 workers, beat
        stack.url, stack.sql("select count(*) from grader_submission")

Everything is private and lives under ``var/<name>-<pid>/``: a PostgreSQL cluster made
with initdb (trust auth, its socket in that directory, a free port on 127.0.0.1; run as
the ``postgres`` user when we are root, because initdb refuses root), a ``redis-server``
without persistence (``--save "" --appendonly no``, as in docker-compose.yml) on a free
port, gunicorn on a free port, two ``celery worker --concurrency 1`` processes (each a
main process plus one prefork child that owns one sandbox zygote) and ``celery beat``
(the sweep). Nothing touches the shared Redis on 6379 or PostgreSQL on 5432, so tests
that other people run against those are not disturbed, and a fault may stop and
restart these services at will.

The app's code is this checkout, or with ``code=<dir>`` another checkout of the project
(an older commit, for a before/after comparison: bench/paired_load.sh): its manage.py,
Django project and gunicorn configuration run with this harness and this interpreter;
the run's files stay under this checkout's var/.

The app runs with the production settings (DEBUG=0, a random SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1), except SECURE_SSL_REDIRECT=0 so plain http works locally.

For the fault checks the database gets one piece of instrumentation that is not app
code: a trigger that appends every status change of a submission, and every write to a
submission that is already final, to ``bench_status_log`` (and the same for quiz
attempts to ``bench_quiz_status_log``). From it, ``outcome()`` counts claims
(queued→running), re-claims after a crash, and duplicates (more than one write of a
final result for one submission or attempt).

Every process is started in its own session and stopped by its own pid/pgid; ``stop()``
runs on exit, on an exception and on SIGTERM/SIGINT. No loop here is unbounded.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from tests.support.wait import WaitTimeout, wait_until

ROOT = Path(__file__).resolve().parents[2]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
PG_BIN_CANDIDATES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
FINAL = ("graded", "error")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_bin() -> Path | None:
    for path in PG_BIN_CANDIDATES:
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    return None


@dataclass
class Proc:
    name: str
    argv: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class Outcome:
    """What became of the accepted submissions (see Stack.outcome)."""

    submitted: int
    graded: int
    error: int
    lost: list[int]
    duplicates: list[int]
    reclaimed: int
    errors_unreadable: list[int]
    by_status: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (
            f"submitted={self.submitted} graded={self.graded} error={self.error} "
            f"lost={len(self.lost)} duplicates={len(self.duplicates)}"
        )


class Stack:
    def __init__(
        self,
        *,
        name: str = "bench",
        db: str = "auto",
        web_workers: int = 2,
        web_threads: int = 64,
        celery_workers: int = 2,
        env: dict[str, str] | None = None,
        keep: bool = False,
        quiet: bool = False,
        code: Path | None = None,
    ) -> None:
        if db == "auto":
            db = "postgres" if pg_bin() is not None else "sqlite"
        self.db = db
        self.dir = ROOT / "var" / f"{name}-{os.getpid()}"
        # The checkout whose app runs (manage.py, the Django project, gunicorn's config).
        self.code = Path(code).resolve() if code is not None else ROOT
        if not (self.code / "manage.py").exists():
            raise ValueError(f"{self.code}: no manage.py (not a checkout of the project)")
        self.web_workers = web_workers
        self.web_threads = web_threads
        self.n_workers = celery_workers
        self.extra_env = env or {}
        self.keep = keep
        self.quiet = quiet
        self.redis_port = free_port()
        self.pg_port = free_port()
        self.web_port = free_port()
        self.procs: dict[str, Proc] = {}
        self.pg_started = False
        self._pg_dir: Path | None = None
        self.stopped = False
        self.url = f"http://127.0.0.1:{self.web_port}"

    # -- environment --------------------------------------------------------------

    @property
    def database_url(self) -> str:
        if self.db == "postgres":
            return f"postgres://bench@127.0.0.1:{self.pg_port}/autograd"
        return f"sqlite:///{self.dir / 'db.sqlite3'}"

    @property
    def broker_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def env(self) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")
        base = {k: v for k, v in os.environ.items() if k in keep}
        return {
            **base,
            "DJANGO_SETTINGS_MODULE": "autograd_course.settings",
            "PYTHONUNBUFFERED": "1",
            "DEBUG": "0",
            "SECRET_KEY": self._secret,
            "GRADER_SEED_KEY": self._seed_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.broker_url,
            "VAR_DIR": str(self.dir / "appvar"),
            "LOG_LEVEL": "INFO",
            **self.extra_env,
        }

    _secret = secrets.token_urlsafe(48)
    _seed_key = secrets.token_hex(32)

    def say(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    # -- lifecycle ----------------------------------------------------------------

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if self.dir.exists():
            shutil.rmtree(self.dir)
        (self.dir / "appvar").mkdir(parents=True)
        atexit.register(self.stop)
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(sig)

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                self.stop()
                if callable(previous):
                    previous(signum, frame)
                raise SystemExit(128 + signum)

            with contextlib.suppress(ValueError):  # not the main thread
                signal.signal(sig, handler)
        t0 = time.monotonic()
        self.redis_start()
        if self.db == "postgres":
            self._pg_init()
            self.pg_start()
        self._prepare_db()
        self.web_start()
        for i in range(self.n_workers):
            self.worker_start(i)
        self.beat_start()
        self.web_wait_ready()
        for i in range(self.n_workers):
            self.worker_wait_ready(i)
        self.say(
            f"stack up in {time.monotonic() - t0:.1f} s: {self.url} db={self.db} dir={self.dir}"
        )

    def stop(self) -> None:
        if self.stopped:
            return
        self.stopped = True
        for proc in reversed(list(self.procs.values())):
            self._terminate(proc)
        if self.db == "postgres" and self.pg_started:
            with contextlib.suppress(Exception):
                self.pg_stop(mode="immediate")
        if not self.keep and self.dir.exists():
            shutil.rmtree(self.dir, ignore_errors=True)
        if not self.keep and self._pg_dir is not None and not self._pg_dir.is_relative_to(self.dir):
            shutil.rmtree(self._pg_dir.parent, ignore_errors=True)
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)

    # -- processes ----------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str], *, env: dict[str, str] | None = None) -> Proc:
        log = self.dir / f"{name}.log"
        proc = self.procs.get(name) or Proc(name=name, argv=argv, log=log)
        proc.argv = argv
        with open(log, "ab") as out:
            out.write(f"\n=== start {time.strftime('%H:%M:%S')} {' '.join(argv)}\n".encode())
            proc.popen = subprocess.Popen(
                argv,
                cwd=self.code,
                env=env or self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        proc.started_at = time.monotonic()
        self.procs[name] = proc
        return proc

    def _terminate(self, proc: Proc, timeout: float = 15.0) -> None:
        if proc.popen is None:
            return
        if proc.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(timeout=timeout)
        # Whatever is left in its process group (pool children); the zygotes die with
        # their parent (bwrap --die-with-parent).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            proc.popen.wait(timeout=5)

    def _run(self, argv: list[str], what: str, timeout: float) -> str:
        done = subprocess.run(
            argv, cwd=self.code, env=self.env(), capture_output=True, text=True, timeout=timeout
        )
        if done.returncode != 0:
            raise RuntimeError(f"{what} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def manage(self, *args: str, timeout: float = 300) -> str:
        return self._run([PY, "manage.py", *args], f"manage.py {' '.join(args)}", timeout)

    def python(self, code: str, *, timeout: float = 300) -> str:
        """Run Django code in a fresh process with the stack's environment."""
        prelude = "import django; django.setup()\n"
        return self._run([PY, "-c", prelude + code], "python snippet", timeout)

    # -- Redis --------------------------------------------------------------------

    def redis_start(self) -> None:
        (self.dir / "redis").mkdir(exist_ok=True)
        self._spawn(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir / "redis"),
            ],
        )
        wait_until(
            self.redis_ping, 20, "redis to answer a ping", interval=0.05, ignoring=(Exception,)
        )

    def redis_stop(self) -> None:
        self._terminate(self.procs["redis"], timeout=10)

    def redis_ping(self) -> bool:
        import redis

        return bool(redis.Redis(port=self.redis_port, socket_connect_timeout=0.5).ping())

    def queue_length(self) -> int:
        import redis

        return int(redis.Redis(port=self.redis_port, socket_connect_timeout=1).llen("celery"))

    # -- PostgreSQL ---------------------------------------------------------------

    def _pg_run(self, argv: Sequence[str], timeout: float = 60) -> None:
        prefix: list[str] = []
        if os.geteuid() == 0:
            prefix = ["runuser", "-u", "postgres", "--"]
        done = subprocess.run(
            [*prefix, *argv], capture_output=True, text=True, timeout=timeout, cwd="/"
        )
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {done.stdout}\n{done.stderr}")

    @property
    def pg_dir(self) -> Path:
        """var/<run>/pg, unless the postgres user could not reach it (a checkout in a
        private home directory): then a directory under the system temp dir."""
        if self._pg_dir is None:
            self._pg_dir = self.dir / "pg"
            if os.geteuid() == 0 and not all(
                os.stat(parent).st_mode & stat.S_IXOTH for parent in self.dir.parents
            ):
                self._pg_dir = Path(tempfile.mkdtemp(prefix="agbench-pg-")) / "pg"
        return self._pg_dir

    def _pg_init(self) -> None:
        binary = pg_bin()
        assert binary is not None
        pgdir = self.pg_dir
        pgdir.mkdir()
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(pgdir, pg.pw_uid, pg.pw_gid)
        self._pg_run(
            [
                str(binary / "initdb"),
                "-D",
                str(pgdir / "data"),
                "-U",
                "bench",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            timeout=120,
        )

    def pg_start(self) -> None:
        binary = pg_bin()
        assert binary is not None
        pgdir = self.pg_dir
        opts = f"-p {self.pg_port} -k {pgdir} -c listen_addresses=127.0.0.1 -c max_connections=400"
        if (binary.parent / "lib" / "pg_stat_statements.so").exists():
            # Which queries the database spends its time on (bench/load.py reports them).
            opts += " -c shared_preload_libraries=pg_stat_statements"
        self._pg_run(
            [
                str(binary / "pg_ctl"),
                "-D",
                str(pgdir / "data"),
                "-l",
                str(pgdir / "server.log"),
                "-o",
                opts,
                "-w",
                "-t",
                "60",
                "start",
            ],
            timeout=90,
        )
        self.pg_started = True
        wait_until(
            lambda: self.sql("select 1", dbname="postgres"),
            30,
            "postgres to answer a query",
            interval=0.2,
            ignoring=(Exception,),
        )

    def pg_stop(self, mode: str = "fast") -> None:
        binary = pg_bin()
        assert binary is not None
        self._pg_run(
            [
                str(binary / "pg_ctl"),
                "-D",
                str(self.pg_dir / "data"),
                "-m",
                mode,
                "-w",
                "-t",
                "60",
                "stop",
            ],
            timeout=90,
        )

    # -- database -----------------------------------------------------------------

    def sql(
        self, query: str, params: Sequence[Any] = (), *, dbname: str = "autograd"
    ) -> list[tuple[Any, ...]]:
        """Run one statement on the private database (a new connection each time, so it
        works across restarts); placeholders are %s for both engines."""
        if self.db == "postgres":
            import psycopg

            with psycopg.connect(
                host="127.0.0.1",
                port=self.pg_port,
                user="bench",
                dbname=dbname,
                connect_timeout=3,
                autocommit=True,
            ) as conn:
                cur = conn.execute(query, params or None)
                return list(cur.fetchall()) if cur.description else []
        with contextlib.closing(sqlite3.connect(self.dir / "db.sqlite3", timeout=30)) as lite:
            rows = list(lite.execute(query.replace("%s", "?"), tuple(params)).fetchall())
            lite.commit()
            return rows

    def _prepare_db(self) -> None:
        if self.db == "postgres":
            self.sql("create database autograd", dbname="postgres")
        self.manage("migrate", "--noinput", "-v", "0")
        self.manage("loadcourse")
        self.manage("collectstatic", "--noinput", "-v", "0")
        for statement in TRIGGER_SQL[self.db]:
            self.sql(statement)
        if self.db == "postgres":
            with contextlib.suppress(Exception):
                self.sql("create extension if not exists pg_stat_statements")

    def pg_statements(self, top: int = 15) -> dict[str, Any]:
        """Calls and execution time per statement since the last reset (PostgreSQL with
        pg_stat_statements only; else empty)."""
        if self.db != "postgres":
            return {}
        try:
            rows = self.sql(
                "select calls, total_exec_time, query from pg_stat_statements "
                "where dbid = (select oid from pg_database where datname = 'autograd') "
                "order by total_exec_time desc"
            )
        except Exception:
            return {}
        return {
            "calls": sum(int(r[0]) for r in rows),
            "exec_ms": round(sum(float(r[1]) for r in rows), 1),
            "top": [
                {"calls": int(c), "exec_ms": round(float(t), 1), "query": " ".join(q.split())[:160]}
                for c, t, q in rows[:top]
            ],
        }

    def pg_statements_reset(self) -> None:
        if self.db == "postgres":
            with contextlib.suppress(Exception):
                self.sql("select pg_stat_statements_reset()")

    def students_create(
        self, count: int, *, prefix: str = "student", password: str
    ) -> dict[str, str]:
        """`count` students with one password (hashed once: 200 PBKDF2 hashes would take
        more than a minute) and an API token each, as `manage.py apitoken` makes them.
        Returns username -> token."""
        code = f"""
import json
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from accounts.services import api_token_rotate
hashed = make_password({password!r})
names = [f"{prefix}{{i:04d}}" for i in range({count})]
User.objects.bulk_create([User(username=n, password=hashed) for n in names], ignore_conflicts=True)
print(json.dumps({{u.username: api_token_rotate(user=u) for u in User.objects.filter(username__in=names)}}))
"""
        return dict(json.loads(self.python(code).strip().splitlines()[-1]))

    # -- web, workers, beat -------------------------------------------------------

    def web_start(self) -> None:
        self._spawn(
            "web",
            [
                PY,
                "-m",
                "gunicorn",
                "-c",
                str(self.code / "autograd_course" / "gunicorn_conf.py"),
                "autograd_course.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                str(self.web_workers),
                "--threads",
                str(self.web_threads),
                "--graceful-timeout",
                "5",
            ],
        )

    def web_wait_ready(self) -> None:
        wait_until(
            lambda: http_ok(f"{self.url}/healthz"),
            60,
            "gunicorn to answer /healthz",
            interval=0.2,
            ignoring=(Exception,),
        )

    def worker_name(self, i: int) -> str:
        return f"worker{i + 1}"

    def worker_start(self, i: int) -> Proc:
        name = self.worker_name(i)
        return self._spawn(
            name,
            [
                PY,
                "-m",
                "celery",
                "-A",
                "autograd_course",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "-n",
                f"{name}@bench",
                "--loglevel",
                "INFO",
            ],
        )

    def worker_wait_ready(self, i: int, timeout: float = 180) -> None:
        proc = self.procs[self.worker_name(i)]

        def ready() -> bool:
            text = proc.log.read_text(errors="replace")
            last = text.rsplit("\n=== start ", 1)[-1]
            return proc.alive() and " ready." in last

        wait_until(
            ready, timeout, f"{proc.name} to log ready.", interval=0.2, ignoring=(Exception,)
        )

    def beat_start(self) -> None:
        self._spawn(
            "beat",
            [
                PY,
                "-m",
                "celery",
                "-A",
                "autograd_course",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.dir / "appvar" / "celerybeat-schedule"),
            ],
        )

    def worker_pool_child(self, i: int) -> int | None:
        """The prefork child of worker i: the process that runs the jobs."""
        proc = self.procs[self.worker_name(i)]
        if not proc.alive():
            return None
        children = [
            c for c in psutil.Process(proc.pid).children() if "celery" in " ".join(c.cmdline())
        ]
        return children[0].pid if children else None

    def zygotes(self) -> dict[int, int]:
        """worker index -> pid of the zygote's python process inside bubblewrap: of a
        worker's two (with and without torch.optim), the one running a job if one is,
        else the one without torch.optim, which runs most answers."""
        found: dict[int, int] = {}
        for i in range(self.n_workers):
            child = self.worker_pool_child(i)
            if child is None:
                continue
            ranked: list[tuple[int, int]] = []
            try:
                processes = psutil.Process(child).children(recursive=True)
            except psutil.Error:
                continue
            for p in processes:
                try:  # one that just died (a zombie) is skipped, not the whole worker
                    cmd = " ".join(p.cmdline())
                    if "sandbox.zygote" in cmd and not p.name().startswith("bwrap"):
                        busy = bool(p.children())
                        plain = '"warm_optim": false' in cmd
                        ranked.append((2 * busy + plain, p.pid))
                except psutil.Error:
                    continue
            if ranked:
                found[i] = max(ranked)[1]
        return found

    def busy_workers(self) -> list[int]:
        """Workers whose zygote has a job child right now (a job in the sandbox), the one
        whose job has run longest first."""
        busy: list[tuple[float, int]] = []
        for i, zygote in self.zygotes().items():
            with contextlib.suppress(psutil.Error):
                children = psutil.Process(zygote).children()
                if children:
                    busy.append((min(c.create_time() for c in children), i))
        return [i for _, i in sorted(busy)]

    def kill_worker(self, i: int, *, whole: bool = False) -> list[int]:
        """kill -9 the pool child of worker i (the job dies with it, the main process
        forks a new child), or with ``whole`` the worker's whole process group."""
        proc = self.procs[self.worker_name(i)]
        if whole:
            pids = [proc.pid] + [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
            os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                proc.popen.wait(timeout=10)
            return pids
        child = self.worker_pool_child(i)
        if child is None:
            return []
        os.kill(child, signal.SIGKILL)
        return [child]

    # -- results ------------------------------------------------------------------

    def outcome(self, accepted: Sequence[int], *, quiz: bool = False) -> Outcome:
        """Classify the accepted submission ids (with ``quiz``, quiz attempt ids) by their
        state in the database.

        lost: accepted but not graded/error (or not in the database at all).
        duplicates: more than one final write (a transition into graded/error, or any
        write to a row that was already final) in the status log. A re-claim after a
        crash (queued→running twice) is not a duplicate; it is counted in `reclaimed`.
        """
        table, log, key = STATUS_LOGS[quiz]
        ids = sorted(set(accepted))
        rows = dict(self._in_chunks(f"select id, status from {table} where id in ({{}})", ids))
        by_status: dict[str, int] = {}
        for status in rows.values():
            by_status[status] = by_status.get(status, 0) + 1
        lost = [i for i in ids if rows.get(i) not in FINAL]
        finals = self._in_chunks(
            f"select {key}, count(*) from {log} where {key} in ({{}}) "
            "and (new_status in ('graded','error') or old_status in ('graded','error')) "
            f"group by {key}",
            ids,
        )
        duplicates = [sid for sid, n in finals if n > 1]
        claims = self._in_chunks(
            f"select {key}, count(*) from {log} where {key} in ({{}}) "
            f"and new_status = 'running' group by {key}",
            ids,
        )
        reclaimed = sum(1 for _, n in claims if n > 1)
        # Asked only when there are errors: a quiz attempt had no error state (and no
        # error_message column) before quizzes were graded by the workers.
        unreadable = [
            sid
            for (sid,) in (
                self._in_chunks(
                    f"select id from {table} where id in ({{}}) and status = 'error' "
                    "and coalesce(error_message, '') = ''",
                    ids,
                )
                if by_status.get("error")
                else []
            )
        ]
        return Outcome(
            submitted=len(ids),
            graded=by_status.get("graded", 0),
            error=by_status.get("error", 0),
            lost=lost,
            duplicates=duplicates,
            reclaimed=reclaimed,
            errors_unreadable=unreadable,
            by_status=by_status,
        )

    def scores_check(self, subs: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Right answers must get full marks, wrong ones less and their misconception named,
        looping ones 0 with a time-limit message a student can read. `subs`: dicts with id,
        kind (right/wrong/timeout/other), exercise, misconception (expected, for wrong)."""
        by_id = {s["id"]: s for s in subs if s.get("id")}
        rows = self._in_chunks(
            "select id, status, score, max_score, misconception, results, error_message "
            "from grader_submission where id in ({})",
            sorted(by_id),
        )
        problems: list[dict[str, Any]] = []
        checked = 0
        for sid, status, score, max_score, misconception, results, _error_message in rows:
            sub = by_id[sid]
            if status != "graded":
                continue
            checked += 1
            results = results if isinstance(results, dict) else json.loads(results or "{}")
            text = json.dumps(results)
            ok = True
            if sub["kind"] == "right":
                ok = abs((score or 0) - max_score) < 1e-9
            elif sub["kind"] == "wrong":
                ok = (score or 0) < max_score - 1e-9 and misconception == sub["misconception"]
            elif sub["kind"] == "timeout":
                ok = (score or 0) == 0 and "time limit" in text
            if not ok:
                problems.append(
                    {
                        "id": sid,
                        "kind": sub["kind"],
                        "exercise": sub["exercise"],
                        "score": score,
                        "misconception": misconception,
                        "expected_misconception": sub["misconception"],
                        "output": str(results.get("output", ""))[:300],
                    }
                )
        return {"checked": checked, "wrong_scores": len(problems), "examples": problems[:10]}

    def saved_not_accepted(self, accepted: Sequence[int], *, prefix: str = "student") -> list[int]:
        """Rows of the students named prefix* that the client was never told about (it
        got an error, yet the row was committed): not lost, but worth knowing."""
        rows = self.sql(
            "select s.id from grader_submission s join auth_user u on u.id = s.student_id "
            "where u.username like %s",
            [prefix + "%"],
        )
        known = set(accepted)
        return sorted(i for (i,) in rows if i not in known)

    def _in_chunks(self, query: str, ids: Sequence[int]) -> list[tuple[Any, ...]]:
        out: list[tuple[Any, ...]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            if chunk:
                out += self.sql(query.format(",".join(["%s"] * len(chunk))), chunk)
        return out

    def wait_final(self, ids: Sequence[int], timeout: float, *, quiz: bool = False) -> float:
        """Wait until every id (with ``quiz``, quiz attempt id) is graded/error; returns
        the seconds it took (or timeout)."""
        t0 = time.monotonic()
        ids = sorted(set(ids))
        table = STATUS_LOGS[quiz][0]

        def all_final() -> bool:
            rows = self._in_chunks(
                f"select count(*) from {table} where id in ({{}}) and status in ('graded','error')",
                ids,
            )
            return sum(r[0] for r in rows) == len(ids)

        try:
            wait_until(
                all_final,
                timeout,
                f"{len(ids)} answers to be final",
                interval=0.5,
                ignoring=(Exception,),
            )
        except WaitTimeout:
            return timeout
        return time.monotonic() - t0


# Submissions or quiz attempts: (their table, the trigger's log of them, its id column).
STATUS_LOGS = {
    False: ("grader_submission", "bench_status_log", "submission_id"),
    True: ("exercises_quizattempt", "bench_quiz_status_log", "attempt_id"),
}

TRIGGER_SQL = {
    "postgres": [
        "create table bench_status_log (id bigserial primary key, submission_id bigint, "
        "old_status text, new_status text, score double precision, "
        "at timestamptz default clock_timestamp())",
        """create function bench_log_status() returns trigger language plpgsql as $$
        begin
          if new.status is distinct from old.status or old.status in ('graded', 'error') then
            insert into bench_status_log (submission_id, old_status, new_status, score)
            values (new.id, old.status, new.status, new.score);
          end if;
          return new;
        end $$""",
        "create trigger bench_status after update on grader_submission "
        "for each row execute function bench_log_status()",
        "create table bench_quiz_status_log (id bigserial primary key, attempt_id bigint, "
        "old_status text, new_status text, score double precision, "
        "at timestamptz default clock_timestamp())",
        """create function bench_log_quiz_status() returns trigger language plpgsql as $$
        begin
          if new.status is distinct from old.status or old.status in ('graded', 'error') then
            insert into bench_quiz_status_log (attempt_id, old_status, new_status, score)
            values (new.id, old.status, new.status, new.score);
          end if;
          return new;
        end $$""",
        "create trigger bench_quiz_status after update on exercises_quizattempt "
        "for each row execute function bench_log_quiz_status()",
    ],
    "sqlite": [
        "create table bench_status_log (id integer primary key autoincrement, "
        "submission_id integer, old_status text, new_status text, score real, "
        "at text default (strftime('%Y-%m-%d %H:%M:%f', 'now')))",
        "create trigger bench_status after update on grader_submission "
        "when new.status is not old.status or old.status in ('graded', 'error') begin "
        "insert into bench_status_log (submission_id, old_status, new_status, score) "
        "values (new.id, old.status, new.status, new.score); end",
        "create table bench_quiz_status_log (id integer primary key autoincrement, "
        "attempt_id integer, old_status text, new_status text, score real, "
        "at text default (strftime('%Y-%m-%d %H:%M:%f', 'now')))",
        "create trigger bench_quiz_status after update on exercises_quizattempt "
        "when new.status is not old.status or old.status in ('graded', 'error') begin "
        "insert into bench_quiz_status_log (attempt_id, old_status, new_status, score) "
        "values (new.id, old.status, new.status, new.score); end",
    ],
}


def http_ok(url: str) -> bool:
    with urllib.request.urlopen(url, timeout=2) as response:
        return bool(response.status == 200)


@contextlib.contextmanager
def stack(**kwargs: Any) -> Iterator[Stack]:
    with Stack(**kwargs) as s:
        yield s
