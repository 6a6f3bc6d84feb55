"""Each isolation layer is really on, and each holds on its own.

A job reports what the kernel says about it (/proc/self/status, its namespaces, its
limits); then zygotes with one layer switched off show that the others still contain
the same attacks, with the errno that identifies which layer stopped them.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from grader.sandbox import Job, Limits, SandboxResult, run
from grader.sandbox.client import (
    Client,
    SandboxUnavailable,
    ZygoteBackend,
    bwrap_command,
    default_client,
)

from .conftest import POINTS, assert_next_job_graded, expected_chain_rule

REPORT = """
import os, resource
status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines())
out = {k: status[k].strip() for k in ('Uid', 'Gid', 'CapEff', 'CapBnd', 'NoNewPrivs',
                                      'Seccomp', 'Seccomp_filters', 'NSpid')}
out['ns'] = {n: os.readlink('/proc/self/ns/' + n) for n in
             ('user', 'pid', 'net', 'mnt', 'ipc', 'uts', 'cgroup')}
out['limits'] = {n: list(resource.getrlimit(getattr(resource, 'RLIMIT_' + n)))
                 for n in ('AS', 'CPU', 'FSIZE', 'NOFILE', 'CORE', 'NPROC')}
out['env'] = dict(os.environ)
out['cwd'] = os.getcwd()
out['sid'] = os.getsid(0) == os.getpid()
"""

PROBE = """
import ctypes, errno, os, socket
res = {}
def _unshare_user():
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000) != 0:
        raise OSError(ctypes.get_errno(), 'unshare')
def attempt(name, fn):
    try:
        fn()
        res[name] = 0
    except OSError as e:
        res[name] = e.errno
attempt('connect', lambda: socket.create_connection(('127.0.0.1', 6379), timeout=1))
attempt('fork', lambda: os.fork() == 0 and os._exit(0))
attempt('write_usr', lambda: open('/usr/pwned', 'w'))
attempt('read_dev_null', lambda: open('/dev/null'))
attempt('write_root', lambda: open('/x', 'w'))
attempt('user_namespace', lambda: _unshare_user())
out = res
"""


def host_ns(name: str) -> str:
    return os.readlink(f"/proc/self/ns/{name}")


def report(client: Client | None = None) -> dict[str, Any]:
    job = Job("script", REPORT, {"read": ["out"]})
    result = client.run(job) if client else run(job)
    assert result.status == "ok", result
    assert result.outputs["error"] is None, result.outputs
    value: dict[str, Any] = result.outputs["values"]["out"]
    return value


def probe(client: Client) -> dict[str, int]:
    result = client.run(Job("script", PROBE, {"read": ["out"]}))
    assert result.status == "ok" and result.outputs["error"] is None, result
    value: dict[str, int] = result.outputs["values"]["out"]
    return value


@pytest.fixture
def client_factory() -> Iterator[Any]:
    made: list[Client] = []

    def make(**kwargs: bool) -> Client:
        client = Client(ZygoteBackend(**kwargs))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def test_every_layer_is_on() -> None:
    info = report()
    assert info["Uid"].split() == ["65534"] * 4 and info["Gid"].split() == ["65534"] * 4
    assert int(info["CapEff"], 16) == 0 and int(info["CapBnd"], 16) == 0
    assert info["NoNewPrivs"] == "1"
    assert info["Seccomp"] == "2" and int(info["Seccomp_filters"]) >= 1
    # fresh namespaces, every one of them
    for name, ident in info["ns"].items():
        assert ident != host_ns(name), f"{name} namespace is shared with the host"
    assert int(info["NSpid"]) < 1000  # numbered inside its own pid namespace
    assert info["env"] == {}
    assert info["cwd"] == "/jobs"
    assert info["sid"] is True
    limits = info["limits"]
    assert 0 < limits["AS"][0] < 8 << 30
    assert limits["CPU"] == [4, 5]
    assert limits["FSIZE"][0] == 64 << 20
    assert limits["NOFILE"][0] <= 64
    assert limits["CORE"] == [0, 0]
    assert limits["NPROC"] == [128, 128]


def test_zygote_itself_is_jailed() -> None:
    backend = default_client().backend
    assert isinstance(backend, ZygoteBackend)
    assert_next_job_graded()
    assert backend.info["uid"] == 65534
    assert int(str(backend.info["landlock_abi"])) >= 6, "this kernel should have Landlock ABI 6+"
    cmd = bwrap_command()
    for flag in (
        "--unshare-all",
        "--unshare-user",
        "--cap-drop",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
    ):
        assert flag in cmd
    # No --disable-userns (each job makes its own namespaces); seccomp stops answers
    # from making one: see the probes below.


def test_all_layers_together(client_factory: Any) -> None:
    res = probe(client_factory())
    # seccomp answers first (EPERM) for socket/fork; Landlock for files (EACCES)
    assert res == {
        "connect": errno.EPERM,
        "fork": errno.EPERM,
        "write_usr": errno.EROFS,
        "read_dev_null": errno.EACCES,
        # the jail's root is read-only in the job's mount namespace, before Landlock
        "write_root": errno.EROFS,
        "user_namespace": errno.EPERM,
    }


def test_landlock_alone_holds(client_factory: Any) -> None:
    res = probe(client_factory(seccomp=False))
    # socket() is allowed without seccomp; Landlock refuses the TCP connect itself.
    assert res["connect"] == errno.EACCES
    assert res["read_dev_null"] == errno.EACCES and res["write_root"] == errno.EROFS
    assert res["fork"] == 0  # only seccomp stops processes: this is what it is for


def test_seccomp_alone_holds(client_factory: Any) -> None:
    res = probe(client_factory(landlock=False))
    assert res["connect"] == errno.EPERM and res["fork"] == errno.EPERM
    # without Landlock the jail's own mounts still hold: /usr is a read-only bind
    assert res["write_usr"] == errno.EROFS
    assert res["read_dev_null"] == 0
    # the job's mount namespace has the jail's root read-only: its tmpfs is all it writes
    assert res["write_root"] == errno.EROFS and res["user_namespace"] == errno.EPERM


def test_namespaces_alone_hold(client_factory: Any) -> None:
    client = client_factory(landlock=False, seccomp=False)
    answer = (
        "import os, socket\n"
        "try:\n    socket.create_connection(('127.0.0.1', 6379), timeout=1)\n    c = 0\n"
        "except OSError as e:\n    c = e.errno\n"
        "out = [c, os.path.exists('/work/main/autograd_course/settings.py'),\n"
        "       os.path.exists('/etc/passwd'), os.path.exists('/var/run/postgresql')]\n"
    )
    result = client.run(Job("script", answer, {"read": ["out"]}))
    # an empty network namespace: nothing listens on its loopback
    assert result.outputs["values"]["out"] == [errno.ECONNREFUSED, False, False, False]


def test_zygote_restarts_after_dying() -> None:
    backend = default_client().backend
    assert isinstance(backend, ZygoteBackend)
    assert_next_job_graded()
    assert backend.proc is not None
    starts = backend.starts
    os.killpg(backend.proc.pid, 9)
    backend.proc.wait()
    assert_next_job_graded()
    assert backend.starts == starts + 1


def test_job_is_retried_once_when_the_zygote_dies_under_it() -> None:
    backend = default_client().backend
    assert isinstance(backend, ZygoteBackend)
    assert_next_job_graded()
    assert backend.proc is not None
    victim = backend.proc
    starts = backend.starts
    timer = threading.Timer(0.3, lambda: os.killpg(victim.pid, 9))
    timer.start()
    # The answer sleeps so that its job is still running when the timer kills the zygote.
    result = run(Job("script", "import time\ntime.sleep(1)\nout = 42\n", {"read": ["out"]}))
    timer.join()
    assert result.status == "ok" and result.outputs["values"]["out"] == 42
    assert backend.starts == starts + 1


def test_concurrent_callers_are_serialised() -> None:
    results: list[SandboxResult] = []

    def work() -> None:
        for _ in range(5):
            results.append(run(Job("formula", "2*x*cos(x^2)", {"points": POINTS})))

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    want = expected_chain_rule(POINTS)
    assert len(results) == 15
    for r in results:
        assert r.status == "ok"
        assert r.outputs["values"] == pytest.approx(want, abs=1e-12)


def _forked_run(queue: Any) -> None:
    r = run(Job("formula", "2*x*cos(x^2)", {"points": POINTS}))
    backend = default_client().backend
    pid = backend.proc.pid if isinstance(backend, ZygoteBackend) and backend.proc else None
    queue.put((r.status, r.outputs.get("values"), pid))


def test_forked_process_gets_its_own_zygote() -> None:
    """A Celery prefork child must not share its parent's zygote pipes."""
    assert_next_job_graded()
    backend = default_client().backend
    assert isinstance(backend, ZygoteBackend) and backend.proc is not None
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_forked_run, args=(queue,))
    proc.start()
    status, values, child_zygote = queue.get(timeout=60)
    proc.join(30)
    assert status == "ok" and values == pytest.approx(expected_chain_rule(POINTS), abs=1e-12)
    assert child_zygote != backend.proc.pid
    assert_next_job_graded()


def test_missing_bwrap_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    client = Client(ZygoteBackend())
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        client.run(Job("formula", "x", {"points": [1.0]}))


def test_wall_clock_kills_and_reports_fast() -> None:
    started = time.monotonic()
    result = run(Job("script", "while True: pass", {}, limits=Limits(wall_seconds=0.5)))
    assert result.status == "timeout"
    assert 0.5 <= result.wall_ms / 1000 < 1.5
    assert time.monotonic() - started < 2


class Interrupted(Exception):
    pass


def test_interrupted_caller_does_not_desync_the_next_job() -> None:
    """Like Celery's SoftTimeLimitExceeded raised inside run(): the late reply of the
    interrupted job must never be taken for the next job's."""
    import signal

    def interrupt(*_: object) -> None:
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(Interrupted):
            # The answer sleeps so that the alarm interrupts the caller mid-job.
            run(Job("script", "import time\ntime.sleep(1)\nout = 'late'\n", {"read": ["out"]}))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert_next_job_graded()


def test_cold_backend_same_protocol_and_layers() -> None:
    """The slow fallback (a fresh python per job, used by the benchmark) is contained too."""
    from grader.sandbox.cold import ColdBackend

    client = Client(ColdBackend())
    result = client.run(Job("formula", "2*x*cos(x^2)", {"points": POINTS}))
    assert result.status == "ok"
    assert result.outputs["values"] == pytest.approx(expected_chain_rule(POINTS), abs=1e-12)
    res = probe(client)
    assert res["connect"] == errno.EPERM and res["fork"] == errno.EPERM
    assert res["write_root"] == errno.EACCES
