"""Parent side: send a job to a backend, watch it, validate what comes back.

Nothing here trusts the child: its result is parsed and checked by ``validate`` and every
captured string is cleaned before it leaves ``run()``.  Backends:

* ``ZygoteBackend`` (default, zygote.py): a warm torch process in bubblewrap forks one
  hardened child per job.
* ``ColdBackend``: a fresh ``python -I -S`` per job, same layers minus the namespaces;
  slow (it imports torch every time) and kept for the benchmark and as a fallback.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from pathlib import Path
from typing import Protocol

from . import child
from .api import Job, Limits, SandboxResult
from .supervise import Outcome, supervise
from .validate import InvalidResult, check_job, check_result, clean_text

PACKAGE_DIR = Path(__file__).resolve().parent


class Backend(Protocol):
    def execute(self, payload: bytes, limits: Limits) -> Outcome: ...

    def close(self) -> None: ...


def python_paths() -> dict[str, str]:
    """Where the interpreter, its stdlib and the venv live (to bind and allow read-only)."""
    return {
        "executable": sys.executable,
        "base_prefix": os.path.realpath(sys.base_prefix),
        "prefix": os.path.realpath(sys.prefix),
        "site_packages": sysconfig.get_paths()["purelib"],
    }


def read_only_paths() -> tuple[str, ...]:
    paths = python_paths()
    return (
        paths["base_prefix"],
        paths["prefix"],
        "/usr",
        "/etc/ld.so.cache",
        str(PACKAGE_DIR),
    )


_package_root: str | None = None


def package_root() -> str:
    """A directory holding only ``sandbox`` (a symlink to this package).

    The cold child must import this package without the rest of ``grader/`` on its path:
    the project's own modules there (e.g. ``grader/selectors.py``) would shadow the
    standard library and pull Django into the jail.
    """
    global _package_root
    if _package_root is None or not os.path.isdir(_package_root):
        root = tempfile.mkdtemp(prefix="agsandbox-pkg-")
        os.symlink(PACKAGE_DIR, os.path.join(root, "sandbox"))
        _package_root = root
    return _package_root


class ColdBackend:
    def __init__(self, landlock: bool = True, seccomp: bool = True) -> None:
        self.landlock = landlock
        self.seccomp = seccomp

    def close(self) -> None:
        pass

    def execute(self, payload: bytes, limits: Limits) -> Outcome:
        job_dir = tempfile.mkdtemp(prefix="agsandbox-cold-")
        result_r, result_w = os.pipe()
        spec = {
            "memory_mb": limits.memory_mb,
            "cpu_seconds": limits.cpu_seconds,
            "read_only_paths": read_only_paths(),
            "job_dir": job_dir,
            "landlock": self.landlock,
            "seccomp": self.seccomp,
            "result_fd": result_w,
        }
        paths = python_paths()
        boot = (
            "import sys; sys.path.insert(0, sys.argv[1]); sys.path.append(sys.argv[2]); "
            "from sandbox.coldmain import main; main()"
        )
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                [
                    paths["executable"],
                    "-I",
                    "-S",
                    "-c",
                    boot,
                    package_root(),
                    paths["site_packages"],
                    json.dumps(spec),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(result_w,),
                env={},
                cwd=job_dir,
                start_new_session=True,
            )
        finally:
            os.close(result_w)
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        try:
            # The child reads all of stdin before anything else, so this cannot deadlock
            # on its output pipes.
            proc.stdin.write(payload)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            # The clock includes the torch import: a cold job gets 30 s extra for it.
            outcome = supervise(
                proc.pid,
                os.dup(proc.stdout.fileno()),
                os.dup(proc.stderr.fileno()),
                result_r,
                wall_seconds=limits.wall_seconds + 30.0,
                output_bytes=limits.output_bytes,
                result_bytes=limits.result_bytes,
                started=started,
            )
            proc.returncode = -1  # reaped by supervise
        finally:
            proc.stdout.close()
            proc.stderr.close()
            shutil.rmtree(job_dir, ignore_errors=True)
        return outcome


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def interpret(job: Job, outcome: Outcome) -> SandboxResult:
    """Turn what the process did into a SandboxResult; the only place statuses are set."""
    limits = job.limits

    def result(status: str, error: str, outputs: dict[str, object] | None = None) -> SandboxResult:
        return SandboxResult(
            status=status,
            outputs=outputs or {},
            error=error,
            stdout=clean_text(outcome.stdout.decode("utf-8", "replace")),
            stderr=clean_text(outcome.stderr.decode("utf-8", "replace")),
            wall_ms=outcome.wall_ms,
        )

    if outcome.timed_out:
        return result(
            "timeout",
            f"time limit exceeded: the answer ran for more than {limits.wall_seconds:g} s",
        )
    if outcome.overflow == "output":
        return result("limit", "output limit exceeded: the answer printed too much")
    if outcome.overflow == "result":
        return result("limit", "the answer's result is too large to be graded")
    if outcome.signal is not None:
        if outcome.signal == signal.SIGXCPU or outcome.cpu_seconds >= limits.cpu_seconds:
            return result("timeout", f"CPU time limit exceeded ({limits.cpu_seconds} s)")
        if outcome.signal == signal.SIGXFSZ:
            return result("limit", "file size limit exceeded")
        return result("crashed", f"the answer crashed ({_signal_name(outcome.signal)})")
    if outcome.exit_code == child.SETUP_FAILED and not outcome.result:
        return result("crashed", "the sandbox could not be set up (this is not your fault)")
    if not outcome.result:
        return result(
            "crashed",
            f"the answer ended the process (exit code "
            f"{outcome.exit_code}) before it produced a result",
        )
    try:
        status, outputs, error = check_result(job, outcome.result)
    except InvalidResult as exc:
        return result("crashed", f"the sandbox returned an invalid result: {exc}")
    return result(status, error, outputs)


class Client:
    """Runs jobs one at a time on a backend (a lock serialises threads)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.lock = threading.Lock()

    def run(self, job: Job) -> SandboxResult:
        payload = check_job(job)
        with self.lock:
            outcome = self.backend.execute(payload, job.limits)
        return interpret(job, outcome)

    def close(self) -> None:
        with self.lock:
            self.backend.close()


_default: Client | None = None
_default_pid = 0
_default_lock = threading.Lock()


def make_backend(kind: str | None = None) -> Backend:
    kind = kind or os.environ.get("GRADER_SANDBOX_BACKEND", "cold")
    if kind == "cold":
        return ColdBackend()
    from .zygote import ZygoteBackend  # type: ignore[import-not-found]

    backend: Backend = ZygoteBackend()
    return backend


def default_client() -> Client:
    """The process's client, created lazily; a forked process (Celery prefork) gets its
    own, because a zygote's pipes must never be shared between two processes."""
    global _default, _default_pid
    with _default_lock:
        if _default is None or _default_pid != os.getpid():
            _default = Client(make_backend())
            _default_pid = os.getpid()
        return _default
