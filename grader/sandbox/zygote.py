"""The warm zygote: a torch-loaded process inside bubblewrap that forks one child per job.

It runs as uid 65534 in fresh user/pid/net/ipc/uts/mount namespaces with no
capabilities and an empty environment, sees only the interpreter, the venv, /usr,
/etc/ld.so.cache and this package (read-only) plus a size-capped tmpfs for job dirs,
and talks to its worker over its stdin/stdout:

    worker -> zygote   b"%08x%08x" % (len(header), len(payload)) + header + payload
    zygote -> worker   one JSON line per job (see ``_reply``); first a ``ready`` line

``header`` is JSON with the limits; ``payload`` is the job request (answer + inputs),
which the zygote never parses: it reads it into a buffer, forks, and zeroes the buffer,
so one student's answer is not left in the memory the next job's child inherits.
No reference answers, secrets or database handles ever reach this process.
"""

from __future__ import annotations

import base64
import ctypes
import gc
import json
import os
import stat
import sys
import time
from typing import Any

JOBS_ROOT = "/jobs"
MAX_HEADER = 4096
MAX_PAYLOAD = 16 << 20


def _read_exact(fd: int, buffer: bytearray) -> bool:
    """Fill ``buffer`` from ``fd`` in place; False on EOF (the worker went away)."""
    view = memoryview(buffer)
    got = 0
    while got < len(buffer):
        n = os.readv(fd, [view[got:]])
        if n == 0:
            return False
        got += n
    return True


def _write_line(fd: int, document: dict[str, Any]) -> None:
    data = json.dumps(document, separators=(",", ":")).encode() + b"\n"
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def wipe(path: str) -> bool:
    """Remove a job dir whatever the job did to it (chmod 000, symlinks, deep trees).

    Symlinks are removed, never followed; directories are made writable first because
    the job (same uid) may have taken the permissions away.  Returns False if something
    could not be removed: the worker then replaces the zygote and its tmpfs.
    """
    try:
        os.chmod(path, stat.S_IRWXU, follow_symlinks=False)
    except OSError:
        return not os.path.lexists(path)
    ok = True
    try:
        entries = list(os.scandir(path))
    except OSError:
        return False
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                ok = wipe(entry.path) and ok
            else:
                os.unlink(entry.path)
        except OSError:
            ok = False
    try:
        os.rmdir(path)
    except OSError:
        ok = False
    return ok


def serve(ctrl_in: int, ctrl_out: int, read_only: tuple[str, ...]) -> None:
    from . import child, layers
    from .supervise import SETUP_FAILED, supervise

    me = os.getpid()
    counter = 0
    prefix = bytearray(16)
    while True:
        if not _read_exact(ctrl_in, prefix):
            return
        header_len, payload_len = int(prefix[:8], 16), int(prefix[8:], 16)
        if header_len > MAX_HEADER or payload_len > MAX_PAYLOAD:
            raise SystemExit("oversized frame from the worker")
        header_buf = bytearray(header_len)
        payload = bytearray(payload_len)
        if not (_read_exact(ctrl_in, header_buf) and _read_exact(ctrl_in, payload)):
            return
        header = json.loads(header_buf)
        counter += 1
        job_dir = f"{JOBS_ROOT}/{counter}"
        os.mkdir(job_dir, 0o700)
        plan = layers.LayerPlan(
            memory_mb=int(header["memory_mb"]),
            cpu_seconds=int(header["cpu_seconds"]),
            file_bytes=int(header["file_bytes"]),
            read_only_paths=read_only,
            job_dir=job_dir,
            landlock=bool(header.get("landlock", True)),
            seccomp=bool(header.get("seccomp", True)),
            rlimits=bool(header.get("rlimits", True)),
        )
        pipes = [os.pipe() for _ in range(4)]  # stdin, stdout, stderr, result
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the job child
            try:
                child.setup_process(me)
                os.close(pipes[0][1])
                child.arrange_fds(pipes[0][0], pipes[1][1], pipes[2][1], pipes[3][1])
                child.run_child(payload, plan)
            finally:
                os._exit(SETUP_FAILED)
        for i, (read_end, write_end) in enumerate(pipes):
            os.close(write_end)
            if i == 0:
                os.close(read_end)
        payload[:] = bytes(len(payload))
        del payload
        outcome = supervise(
            pid,
            pipes[1][0],
            pipes[2][0],
            pipes[3][0],
            wall_seconds=float(header["wall_seconds"]),
            output_bytes=int(header["output_bytes"]),
            result_bytes=int(header["result_bytes"]),
            started=started,
        )
        try:
            clean = wipe(job_dir)
        except (RecursionError, OSError, ValueError):
            # e.g. a tree nested deeper than the recursion limit: give up, and let the
            # worker replace this zygote (and its tmpfs) after this reply.
            clean = False
        _write_line(
            ctrl_out,
            {
                "id": header.get("id"),
                "stdout": base64.b64encode(outcome.stdout).decode(),
                "stderr": base64.b64encode(outcome.stderr).decode(),
                "result": base64.b64encode(outcome.result).decode(),
                "exit_code": outcome.exit_code,
                "signal": outcome.signal,
                "timed_out": outcome.timed_out,
                "overflow": outcome.overflow,
                "wall_ms": outcome.wall_ms,
                "cpu_seconds": outcome.cpu_seconds,
                "max_rss_kb": outcome.max_rss_kb,
                "clean": clean,
            },
        )
        if not clean:
            return


MADV_COLLAPSE = 25  # Linux 6.1+
HUGE_PAGE = 2 << 20


def collapse_to_huge_pages() -> int:
    """Back the zygote's anonymous memory (Python heap, torch's allocations) with 2 MiB
    pages; return how many were made.

    fork() copies one page-table entry per 4 KiB page that has anonymous memory, and
    exit() tears them down again: with ~140 MiB of heap that was most of a job's cost
    (fork + exit ~7 ms of ~11).  With huge pages fork copies one entry per 2 MiB; a child
    that writes to a huge page gets just that 4 KiB page copied (the kernel splits the
    mapping).  MADV_COLLAPSE works whatever the THP sysfs mode, synchronously, once at
    start (~0.5 s); failure is harmless (jobs are then just slower).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    made = 0
    with open("/proc/self/maps") as maps:
        lines = maps.read().splitlines()
    for line in lines:
        parts = line.split()
        name = parts[5] if len(parts) > 5 else ""
        if parts[1] != "rw-p" or name not in ("", "[heap]"):
            continue
        start, end = (int(x, 16) for x in parts[0].split("-"))
        start = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)
        end &= ~(HUGE_PAGE - 1)
        if end - start >= HUGE_PAGE and libc.madvise(start, end - start, MADV_COLLAPSE) == 0:
            made += (end - start) // HUGE_PAGE
    return made


def rss_bytes() -> int:
    with open("/proc/self/statm", "rb") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main() -> None:
    """Entry point inside bubblewrap.  argv: [-c, <package root>, <site-packages>, <spec>]."""
    spec = json.loads(sys.argv[3])
    # Keep the control pipe on private fds and point 0/1 elsewhere, so nothing printed by
    # torch or Python can corrupt the protocol.
    ctrl_in, ctrl_out = os.dup(0), os.dup(1)
    devnull = os.open("/dev/null", os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    os.close(devnull)
    import torch

    # Before any tensor op: an OpenMP pool created before fork deadlocks the child's
    # first parallel op.
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    from . import layers, runner

    runner.warm_up(optim=bool(spec.get("warm_optim", True)))
    layers.prebuild_seccomp()
    # bwrap --clearenv still leaves PWD, and Python's C-locale coercion sets LC_CTYPE:
    # children start with nothing at all.
    os.environ.clear()
    # Not dumpable: /proc/<zygote>/mem, environ etc. become unreadable to its children
    # even before Landlock is on.
    layers.prctl(layers.PR_SET_DUMPABLE, 0)
    gc.collect()
    # Objects that exist now are never collected again, so the collector does not write
    # to (and copy) the zygote's pages in every child.
    gc.freeze()
    huge_pages = collapse_to_huge_pages()
    _write_line(
        ctrl_out,
        {
            "ready": True,
            "pid": os.getpid(),
            "uid": os.getuid(),
            "landlock_abi": layers.landlock_abi(),
            "rss": rss_bytes(),
            "huge_pages": huge_pages,
            "torch": torch.__version__,
        },
    )
    serve(ctrl_in, ctrl_out, tuple(spec["read_only"]))
