"""Parent side: send a job to a backend, watch it, validate what comes back.

Nothing here trusts the child: its result is parsed and checked by ``validate`` and every
captured string is cleaned before it leaves ``run()``.  Backends:

* ``ZygoteBackend`` (default, zygote.py): a warm torch process in bubblewrap forks one
  hardened child per job.
* ``ColdBackend``: a fresh ``python -I -S`` per job, same layers minus the namespaces;
  slow (it imports torch every time), kept for the benchmark and as a fallback (cold.py).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from typing import IO, Protocol

from .api import Job, Limits, SandboxResult
from .paths import PACKAGE_DIR, python_paths
from .supervise import SETUP_FAILED, Outcome
from .validate import InvalidResult, check_job, check_result, clean_text


class Backend(Protocol):
    def execute(self, payload: bytes, limits: Limits) -> Outcome: ...

    def close(self) -> None: ...


class SandboxUnavailable(RuntimeError):
    """The sandbox itself cannot run (bwrap missing, zygote will not start): an
    infrastructure failure, never the student's; callers should retry later."""


JAIL_PACKAGE_ROOT = "/opt/agsandbox"
JOBS_TMPFS_BYTES = 512 << 20
FILE_BYTES = 64 << 20
READY_TIMEOUT = 60.0
# Slack on top of the job's wall limit for the zygote's own work (fork, reap, wipe,
# reply); the zygote enforces the job's limit itself, this only catches a stuck zygote.
REPLY_SLACK = 5.0


def bwrap_command(bwrap: str = "bwrap", *, optim: bool = True) -> list[str]:
    """The bubblewrap command line that starts a zygote (see zygote.py for the why);
    ``optim``: whether it loads torch.optim before forking (see runner.warm_up)."""
    paths = python_paths()
    cmd = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--disable-userns",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        # Mounted first: a checkout or venv that lives under /tmp (a CI clone) is bound
        # below on top of this tmpfs instead of being hidden by it.
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--ro-bind",
        "/usr",
        "/usr",
        "--ro-bind",
        "/etc/ld.so.cache",
        "/etc/ld.so.cache",
    ]
    # Debian's merged /usr: /lib64/ld-linux-x86-64.so.2 is reached through these links.
    for link in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        target = os.path.join("/", link)
        if os.path.islink(target):
            cmd += ["--symlink", os.readlink(target), target]
    seen: set[str] = set()
    for path in (paths["base_prefix"], paths["prefix"]):
        if path not in seen and not path.startswith("/usr/"):
            cmd += ["--ro-bind", path, path]
            seen.add(path)
    cmd += [
        "--ro-bind",
        str(PACKAGE_DIR),
        f"{JAIL_PACKAGE_ROOT}/sandbox",
        "--size",
        str(JOBS_TMPFS_BYTES),
        "--perms",
        "0700",
        "--tmpfs",
        "/jobs",
        "--chdir",
        "/jobs",
    ]
    jail_read_only = [
        paths["base_prefix"],
        paths["prefix"],
        "/usr",
        "/etc/ld.so.cache",
        f"{JAIL_PACKAGE_ROOT}/sandbox",
    ]
    boot = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path.append(sys.argv[2]); "
        "from sandbox.zygote import main; main()"
    )
    interpreter = os.path.realpath(paths["executable"])
    cmd += [
        "--",
        interpreter,
        "-I",
        "-S",
        "-c",
        boot,
        JAIL_PACKAGE_ROOT,
        paths["site_packages"],
        json.dumps({"read_only": jail_read_only, "warm_optim": optim}),
    ]
    return cmd


class ZygoteDied(Exception):
    pass


class ZygoteBackend:
    """One warm zygote in bubblewrap, started lazily and restarted when it dies."""

    def __init__(
        self,
        landlock: bool = True,
        seccomp: bool = True,
        rlimits: bool = True,
        *,
        optim: bool = True,
    ) -> None:
        # Switching layers off exists for the layer tests and the benchmark's baseline.
        self.optim = optim
        self.landlock = landlock
        self.seccomp = seccomp
        self.rlimits = rlimits
        self.proc: subprocess.Popen[bytes] | None = None
        self.info: dict[str, object] = {}
        self.starts = 0
        self.sequence = 0
        self._log: IO[bytes] | None = None
        self._buffer = b""

    # -- lifecycle --

    def start(self) -> None:
        bwrap = shutil.which("bwrap") or shutil.which("bwrap", path="/usr/bin:/bin")
        if bwrap is None:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is not installed: the sandbox needs it "
                "(apt-get install bubblewrap; the Makefile does this)"
            )
        self.close()
        self._log = tempfile.TemporaryFile()  # noqa: SIM115  (lives as long as the zygote)
        self._buffer = b""
        self.proc = subprocess.Popen(
            bwrap_command(bwrap, optim=self.optim),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env={},
            start_new_session=True,
            close_fds=True,
        )
        self.starts += 1
        try:
            line = self._read_line(time.monotonic() + READY_TIMEOUT, 1 << 16)
            info = json.loads(line)
            if not isinstance(info, dict) or info.get("ready") is not True:
                raise ZygoteDied("unexpected first line")
        except (ZygoteDied, ValueError) as exc:
            log = self.log_tail()
            self.close()
            raise SandboxUnavailable(f"the sandbox zygote did not start ({exc}): {log}") from None
        self.info = info

    def log_tail(self) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read()[-4000:].decode("utf-8", "replace")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        if self._log is not None:
            self._log.close()
            self._log = None

    # -- one job --

    def _read_line(self, deadline: float, cap: int) -> bytes:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buffer:
            if len(self._buffer) > cap:
                raise ZygoteDied("reply too large")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ZygoteDied("no reply in time")
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            data = os.read(fd, 1 << 20)
            if not data:
                raise ZygoteDied("the zygote exited")
            self._buffer += data
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _send(self, header: Mapping[str, object], payload: bytes) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        head = json.dumps(header).encode()
        try:
            self.proc.stdin.write(b"%08x%08x" % (len(head), len(payload)) + head + payload)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise ZygoteDied("the zygote is gone") from None

    def _once(self, payload: bytes, limits: Limits) -> Outcome:
        if not self.alive():
            self.start()
        header = {
            "wall_seconds": limits.wall_seconds,
            "cpu_seconds": limits.cpu_seconds,
            "memory_mb": limits.memory_mb,
            "output_bytes": limits.output_bytes,
            "result_bytes": limits.result_bytes,
            "file_bytes": FILE_BYTES,
            "landlock": self.landlock,
            "seccomp": self.seccomp,
            "rlimits": self.rlimits,
        }
        self.sequence += 1
        header["id"] = self.sequence
        self._send(header, payload)
        cap = 4 * (2 * limits.output_bytes + limits.result_bytes) // 3 + (1 << 16)
        line = self._read_line(time.monotonic() + limits.wall_seconds + REPLY_SLACK, cap)
        try:
            reply = json.loads(line)
            if reply.get("id") != self.sequence:
                raise ZygoteDied("reply for another job")
            outcome = Outcome(
                stdout=base64.b64decode(reply["stdout"])[: limits.output_bytes],
                stderr=base64.b64decode(reply["stderr"])[: limits.output_bytes],
                result=base64.b64decode(reply["result"])[: limits.result_bytes + 1],
                exit_code=reply["exit_code"],
                signal=reply["signal"],
                timed_out=bool(reply["timed_out"]),
                overflow=str(reply["overflow"]),
                wall_ms=float(reply["wall_ms"]),
                cpu_seconds=float(reply["cpu_seconds"]),
                max_rss_kb=int(reply.get("max_rss_kb", 0)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ZygoteDied(f"bad reply: {exc}") from None
        if not reply.get("clean", False):
            # The job dir could not be wiped: start the next job on a fresh tmpfs.
            self.close()
        return outcome

    def execute(self, payload: bytes, limits: Limits) -> Outcome:
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                return self._once(payload, limits)
            except BaseException as exc:
                if not isinstance(exc, ZygoteDied):
                    # Interrupted mid-job (Celery's SoftTimeLimitExceeded, KeyboardInterrupt)
                    # or unable to start: a reply may still be on its way and would be read
                    # as the next job's, so this zygote is finished.
                    self.close()
                    raise
                # A zygote that dies is replaced and the job retried once; a job that
                # kills two zygotes is reported as a crash.
                self.close()
                if attempt == 2:
                    return Outcome(
                        stdout=b"",
                        stderr=f"sandbox failure: {exc}".encode(),
                        result=b"",
                        exit_code=None,
                        signal=None,
                        timed_out=False,
                        overflow="",
                        wall_ms=(time.monotonic() - started) * 1000.0,
                        zygote_failed=True,
                    )
        raise AssertionError("unreachable")


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

    if outcome.zygote_failed:
        return result("crashed", "the sandbox failed while running this answer")
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
    if outcome.exit_code == SETUP_FAILED and not outcome.result:
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


# An answer that mentions one of these may make an optimizer (or touch what the first
# optimizer imports), and runs in the zygote that has torch.optim loaded. A disguised
# use still works, in the other zygote; it just pays the ~1 s import in its own CPU time.
OPTIM_MARKERS = ("optim", "_dynamo", "compile")


def needs_optim(job: Job) -> bool:
    return job.protocol != "formula" and any(m in job.answer for m in OPTIM_MARKERS)


class Client:
    """Runs jobs one at a time (a lock serialises threads) on ``backend``, or on
    ``optim_backend`` (if given) for the answers that need torch.optim."""

    def __init__(self, backend: Backend, optim_backend: Backend | None = None) -> None:
        self.backend = backend
        self.optim_backend = optim_backend
        self.lock = threading.Lock()

    def backend_for(self, job: Job) -> Backend:
        if self.optim_backend is not None and needs_optim(job):
            return self.optim_backend
        return self.backend

    def run(self, job: Job) -> SandboxResult:
        payload = check_job(job)
        with self.lock:
            outcome = self.backend_for(job).execute(payload, job.limits)
        return interpret(job, outcome)

    def close(self) -> None:
        with self.lock:
            self.backend.close()
            if self.optim_backend is not None:
                self.optim_backend.close()


_default: Client | None = None
_default_pid = 0
_default_lock = threading.Lock()


def make_backend(kind: str | None = None, *, optim: bool = True) -> Backend:
    kind = kind or os.environ.get("GRADER_SANDBOX_BACKEND", "zygote")
    if kind == "cold":
        from .cold import ColdBackend

        return ColdBackend()
    if kind != "zygote":
        raise ValueError(f"unknown sandbox backend {kind!r}")
    return ZygoteBackend(optim=optim)


def prestart() -> None:
    """Start this process's main zygote now rather than on its first job (~1-1.5 s),
    e.g. from Celery's ``worker_process_init`` signal.  Raises SandboxUnavailable if it
    cannot start. The zygote with torch.optim starts on the first answer that needs it
    (rare), so that a restarted worker process is ready again sooner."""
    backend = default_client().backend
    if isinstance(backend, ZygoteBackend) and not backend.alive():
        backend.start()


def default_client() -> Client:
    """The process's client, created lazily; a forked process (Celery prefork) gets its
    own, because a zygote's pipes must never be shared between two processes. With the
    zygote backend it has two zygotes: one without torch.optim for most answers, one
    with it for the answers that use it (see runner.warm_up)."""
    global _default, _default_pid
    with _default_lock:
        if _default is None or _default_pid != os.getpid():
            backend = make_backend(optim=False)
            optim = make_backend(optim=True) if isinstance(backend, ZygoteBackend) else None
            _default = Client(backend, optim)
            _default_pid = os.getpid()
        return _default
