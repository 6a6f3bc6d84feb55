"""Watch one job process: drain its pipes with caps, enforce the wall clock, reap it.

Used by the zygote for its forked children and by the cold backend for its subprocesses.
Only stdlib, no threads: one selector over the stdout/stderr/result pipes and a pidfd.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import time
from dataclasses import dataclass

CHUNK = 65_536
# Exit code of a child whose isolation layers could not be applied (it never ran the job).
SETUP_FAILED = 71
# After the process is gone its pipes hit EOF at once (no descendants can exist); this
# bounds the wait if something odd still holds a write end.
DRAIN_AFTER_EXIT = 0.5


@dataclass
class Outcome:
    stdout: bytes
    stderr: bytes
    result: bytes
    exit_code: int | None  # None if killed by a signal
    signal: int | None
    timed_out: bool  # killed by us at the wall-clock deadline
    overflow: str  # "" or what was exceeded ("output", "result")
    wall_ms: float
    cpu_seconds: float = 0.0  # user + system time of the process
    zygote_failed: bool = False  # the zygote died twice on this job
    max_rss_kb: int = 0  # peak resident set of the process (shared pages included)


def _kill(pid: int) -> None:
    # The child called setsid(), so its pid is its process group; kill both in case it
    # has not got that far yet.
    for kill in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill(pid, signal.SIGKILL)


def supervise(
    pid: int,
    stdout_fd: int,
    stderr_fd: int,
    result_fd: int,
    *,
    wall_seconds: float,
    output_bytes: int,
    result_bytes: int,
    started: float | None = None,
) -> Outcome:
    """Collect everything the process writes until it exits; closes the three fds."""
    started = time.monotonic() if started is None else started
    deadline = started + wall_seconds
    # Beyond the captured part, output is read and thrown away, up to a flood limit after
    # which the job is stopped: printing must not be a way to keep a worker busy.
    flood = max(16 * output_bytes, 1 << 20)
    buffers = {stdout_fd: bytearray(), stderr_fd: bytearray(), result_fd: bytearray()}
    totals = dict.fromkeys(buffers, 0)
    caps = {stdout_fd: output_bytes, stderr_fd: output_bytes, result_fd: result_bytes + 1}
    pidfd = os.pidfd_open(pid)
    selector = selectors.DefaultSelector()
    for fd in buffers:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    selector.register(pidfd, selectors.EVENT_READ)
    timed_out = False
    overflow = ""
    exited_at: float | None = None
    status = 0
    cpu = 0.0
    max_rss = 0
    open_fds = set(buffers)
    try:
        while open_fds or exited_at is None:
            now = time.monotonic()
            if exited_at is None and now >= deadline and not timed_out:
                timed_out = True
                _kill(pid)
            if exited_at is not None and now - exited_at > DRAIN_AFTER_EXIT:
                break
            limit = deadline if exited_at is None and not timed_out else now + DRAIN_AFTER_EXIT
            for key, _ in selector.select(timeout=max(0.0, min(limit - now, 1.0))):
                fd = int(key.fd)
                if fd == pidfd:
                    _, status, usage = os.wait4(pid, 0)
                    cpu = usage.ru_utime + usage.ru_stime
                    max_rss = usage.ru_maxrss
                    exited_at = time.monotonic()
                    selector.unregister(pidfd)
                    continue
                try:
                    data = os.read(fd, CHUNK)
                except BlockingIOError:
                    continue
                if not data:
                    selector.unregister(fd)
                    open_fds.discard(fd)
                    continue
                totals[fd] += len(data)
                room = caps[fd] - len(buffers[fd])
                if room > 0:
                    buffers[fd] += data[:room]
                if not overflow and exited_at is None:
                    if fd == result_fd and totals[fd] > result_bytes:
                        overflow = "result"
                        _kill(pid)
                    elif fd != result_fd and totals[fd] > flood:
                        overflow = "output"
                        _kill(pid)
    finally:
        selector.close()
        if exited_at is None:
            _kill(pid)
            _, status, usage = os.wait4(pid, 0)
            cpu = usage.ru_utime + usage.ru_stime
            max_rss = usage.ru_maxrss
        for fd in (*buffers, pidfd):
            os.close(fd)
    return Outcome(
        stdout=bytes(buffers[stdout_fd]),
        stderr=bytes(buffers[stderr_fd]),
        result=bytes(buffers[result_fd]),
        exit_code=os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        signal=os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        timed_out=timed_out,
        overflow=overflow,
        wall_ms=(time.monotonic() - started) * 1000.0,
        cpu_seconds=cpu,
        max_rss_kb=max_rss,
    )
