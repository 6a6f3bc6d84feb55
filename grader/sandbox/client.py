"""Parent side: send a job to a backend, watch it, validate what comes back.

Nothing here trusts the child: its result is parsed and checked by ``validate`` and every
captured string is cleaned before it leaves ``run()``.  Backends:

* ``ZygoteBackend`` (default, zygote.py): a warm torch process in bubblewrap forks one
  hardened child per job.
* ``ColdBackend``: a fresh ``python -I -S`` per job, same layers minus the namespaces;
  slow (it imports torch every time), kept for the benchmark and as a fallback (cold.py).
"""

from __future__ import annotations

import array
import contextlib
import itertools
import json
import os
import re
import select
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from typing import IO, Any, Protocol

from . import cgroups
from .api import Job, Limits, SandboxResult
from .paths import PACKAGE_DIR, python_paths
from .supervise import SETUP_FAILED, Outcome, ProcessEnd, Streams
from .validate import InvalidResult, check_job, check_result, clean_text


class Backend(Protocol):
    def execute(
        self, payload: bytes, limits: Limits, *, forbid_autograd: bool = False
    ) -> Outcome: ...

    def close(self) -> None: ...


class SandboxUnavailable(RuntimeError):
    """The sandbox itself cannot run (bwrap missing, zygote will not start): an
    infrastructure failure, never the student's; callers should retry later."""


JAIL_PACKAGE_ROOT = "/opt/agsandbox"
CONTROL_FD = 3  # the zygote's end of the control socket, inside the jail
FILE_BYTES = 64 << 20
# Each job's own tmpfs (its working directory, /tmp and /dev/shm): bytes and files.
JOB_TMPFS_BYTES = 64 << 20
JOB_TMPFS_INODES = 4096
# Tasks a job may add to its zygote's pids cgroup (its threads), and memory beyond the
# zygote's own: the job's budget, its tmpfs and slack for the kernel's share.
JOB_TASKS = 64
JOB_MEMORY_SLACK = 64 << 20
READY_TIMEOUT = 60.0
# Slack on top of the job's wall limit for the zygote's own work (fork, reap, reply);
# the zygote enforces the job's limit itself, this only catches a stuck zygote.
REPLY_SLACK = 5.0


def bwrap_command(bwrap: str = "bwrap", *, optim: bool = True) -> list[str]:
    """The bubblewrap command line that starts a zygote (see zygote.py for the why);
    ``optim``: whether it loads torch.optim before forking (see runner.warm_up)."""
    paths = python_paths()
    cmd = [
        bwrap,
        "--unshare-all",
        # No --disable-userns: each job makes its own user, mount and IPC namespaces
        # (layers.enter_private_namespaces); seccomp then denies unshare, setns and
        # clone without CLONE_THREAD, so student code cannot make any.
        "--unshare-user",
        "--uid",
        "65534",
        "--gid",
        "65534",
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
        # Each job mounts its own tmpfs here, in its own mount namespace.
        "--dir",
        "/jobs",
        "--chdir",
        "/",
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
        json.dumps({"read_only": jail_read_only, "warm_optim": optim, "control_fd": CONTROL_FD}),
    ]
    return cmd


class ZygoteDied(Exception):
    pass


_cgroup_names = itertools.count(1)


class ZygoteBackend:
    """One warm zygote in bubblewrap, started lazily and restarted when it dies.

    The worker keeps each job's data to itself and the job's child: it makes the job's
    pipes, hands their far ends to the zygote with SCM_RIGHTS, writes the request into
    one and reads the output from the others (see zygote.py)."""

    def __init__(
        self,
        landlock: bool = True,
        seccomp: bool = True,
        rlimits: bool = True,
        *,
        namespaces: bool = True,
        optim: bool = True,
        cgroup: bool = True,
    ) -> None:
        # Switching layers off exists for the layer tests and the benchmark's baseline.
        self.optim = optim
        self.landlock = landlock
        self.seccomp = seccomp
        self.rlimits = rlimits
        self.namespaces = namespaces
        self.use_cgroup = cgroup
        self.cgroup: cgroups.ZygoteCgroup | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.info: dict[str, Any] = {}
        self.starts = 0
        self.sequence = 0
        self._oom_kills = 0
        self._log: IO[bytes] | None = None

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
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if self.use_cgroup:
            if self.starts == 0:
                cgroups.remove_stale()
            name = f"{os.getpid()}-{next(_cgroup_names)}"
            self.cgroup = cgroups.ZygoteCgroup.create(name, pids_max=JOB_TASKS * 4)
        group = self.cgroup
        try:
            # The zygote's end must be fd CONTROL_FD in the jail: dup it there in the
            # child, before exec (and into the cgroup, so bwrap is in it from the start).
            def prepare() -> None:
                os.dup2(theirs.fileno(), CONTROL_FD)
                if group is not None:
                    group.attach()

            self.proc = subprocess.Popen(
                bwrap_command(bwrap, optim=self.optim),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._log,
                env={},
                start_new_session=True,
                pass_fds=(CONTROL_FD,),
                preexec_fn=prepare,  # only dup2 and writes to cgroupfs: safe between fork and exec
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.sock = ours
        self.starts += 1
        try:
            info = self._receive(time.monotonic() + READY_TIMEOUT)
            if info.get("ready") is not True:
                raise ZygoteDied("unexpected first message")
            if self.cgroup is not None:
                # The zygote's own tasks and memory (now that torch is loaded) plus one
                # job's; bwrap's init process is the one more task.
                self.cgroup.limit(
                    pids_max=int(info["tasks"]) + 1 + JOB_TASKS,
                    memory_bytes=self.cgroup.memory_usage()
                    + (Limits().memory_mb << 20)
                    + JOB_TMPFS_BYTES
                    + JOB_MEMORY_SLACK,
                )
                self._oom_kills = self.cgroup.oom_kills()
        except (ZygoteDied, ValueError, OSError) as exc:
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
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        if self._log is not None:
            self._log.close()
            self._log = None

    # -- one job --

    def _receive(self, deadline: float) -> dict[str, Any]:
        assert self.sock is not None
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([self.sock.fileno()], [], [], max(0.0, remaining))
        if not ready:
            raise ZygoteDied("no reply in time")
        data = self.sock.recv(1 << 16)
        if not data:
            raise ZygoteDied("the zygote exited")
        message = json.loads(data)
        if not isinstance(message, dict):
            raise ZygoteDied("a reply that is not an object")
        return message

    def _send(self, header: Mapping[str, object], fds: list[int]) -> None:
        assert self.sock is not None
        try:
            self.sock.sendmsg(
                [json.dumps(header).encode()],
                [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))] if fds else [],
            )
        except OSError:
            raise ZygoteDied("the zygote is gone") from None

    def _once(self, payload: bytes, limits: Limits, forbid_autograd: bool) -> Outcome:
        if not self.alive():
            self.start()
        assert self.sock is not None
        self.sequence += 1
        job_id = self.sequence
        header = {
            "id": job_id,
            "wall_seconds": limits.wall_seconds,
            "cpu_seconds": limits.cpu_seconds,
            "memory_mb": limits.memory_mb,
            "file_bytes": FILE_BYTES,
            "tmpfs_bytes": JOB_TMPFS_BYTES,
            "tmpfs_inodes": JOB_TMPFS_INODES,
            "namespaces": self.namespaces,
            "landlock": self.landlock,
            "seccomp": self.seccomp,
            "rlimits": self.rlimits,
            "forbid_autograd": forbid_autograd,
        }
        request_r, request_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        result_r, result_w = os.pipe()
        try:
            self._send(header, [request_r, stdout_w, stderr_w, result_w])
        except BaseException:
            for fd in (request_w, stdout_r, stderr_r, result_r):
                os.close(fd)
            raise
        finally:
            for fd in (request_r, stdout_w, stderr_w, result_w):
                os.close(fd)
        streams = Streams(
            stdout_r,
            stderr_r,
            result_r,
            output_bytes=limits.output_bytes,
            result_bytes=limits.result_bytes,
            request_fd=request_w,
            request=payload,
        )
        try:
            reply = self._pump(
                streams, job_id, time.monotonic() + limits.wall_seconds + REPLY_SLACK
            )
            streams.drain()
        finally:
            streams.close()
        try:
            end = ProcessEnd(
                exit_code=reply["exit_code"],
                signal=reply["signal"],
                timed_out=bool(reply["timed_out"]),
                wall_ms=float(reply["wall_ms"]),
                cpu_seconds=float(reply["cpu_seconds"]),
                max_rss_kb=int(reply.get("max_rss_kb", 0)),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ZygoteDied(f"bad reply: {exc}") from None
        oom_killed = False
        if self.cgroup is not None and end.signal == signal.SIGKILL and not end.timed_out:
            kills = self.cgroup.oom_kills()
            oom_killed, self._oom_kills = kills > self._oom_kills, kills
        return streams.outcome(end, oom_killed=oom_killed)

    def _pump(self, streams: Streams, job_id: int, deadline: float) -> dict[str, Any]:
        """Feed and read the job's pipes until the zygote says how the job ended."""
        assert self.sock is not None
        with selectors.DefaultSelector() as selector:
            streams.register(selector)
            selector.register(self.sock.fileno(), selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ZygoteDied("no reply in time")
                for key, _ in selector.select(timeout=min(remaining, 1.0)):
                    if key.fd == self.sock.fileno():
                        reply = self._receive(deadline)
                        if reply.get("id") != job_id:
                            raise ZygoteDied("reply for another job")
                        return reply
                    if streams.handle(int(key.fd), selector):
                        self._send({"stop": job_id}, [])

    def execute(self, payload: bytes, limits: Limits, *, forbid_autograd: bool = False) -> Outcome:
        started = time.monotonic()
        for attempt in (1, 2):
            try:
                return self._once(payload, limits, forbid_autograd)
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

    stderr = clean_text(outcome.stderr.decode("utf-8", "replace"))

    def result(
        status: str,
        error: str,
        outputs: dict[str, object] | None = None,
        *,
        autograd_blocked: bool = False,
    ) -> SandboxResult:
        return SandboxResult(
            status=status,
            outputs=outputs or {},
            error=error,
            stdout=clean_text(outcome.stdout.decode("utf-8", "replace")),
            stderr=stderr,
            wall_ms=outcome.wall_ms,
            autograd_blocked=autograd_blocked,
        )

    if outcome.zygote_failed:
        return result("crashed", "the sandbox failed while running this answer")
    if job.forbid_autograd and outcome.signal == signal.SIGILL:
        # The autograd tripwire (layers.block_autograd): decided by how the process
        # ended, which the answer cannot fake in its favour.  The line comes from the
        # child's faulthandler traceback, which only makes the message more precise.
        lines = re.findall(r'File "<answer>", line (\d+)', stderr)
        where = f" on line {lines[0]}" if lines else ""
        return result(
            "error",
            f"your answer was stopped{where} when it used autograd (an autograd graph or "
            "a forward-mode dual tensor), which is switched off in this exercise",
            autograd_blocked=True,
        )
    if outcome.oom_killed:
        return result("limit", f"memory limit exceeded ({limits.memory_mb} MiB)")
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
            outcome = self.backend_for(job).execute(
                payload, job.limits, forbid_autograd=job.forbid_autograd
            )
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


def run(job: Job) -> SandboxResult:
    """Run ``job`` in the sandbox and return its validated result.

    Raises ValueError only for a malformed Job (a caller bug: unknown protocol, inputs of
    the wrong shape); everything the student's answer does is reported in the result.
    """
    return default_client().run(job)
