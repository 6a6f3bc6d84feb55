"""The warm zygote: a torch-loaded process inside bubblewrap that forks one child per job.

It runs as uid 65534 in fresh user/pid/net/ipc/uts/mount namespaces with no
capabilities and an empty environment, sees only the interpreter, the venv, /usr,
/etc/ld.so.cache and this package (read-only), and talks to its worker over one Unix
SOCK_SEQPACKET socket (fd number in the spec), one message per request or reply:

    worker -> zygote   {"id": n, <limits and layer switches>} + 4 fds (SCM_RIGHTS):
                       the job's request pipe (read end) and its stdout, stderr and
                       result pipes (write ends)
    worker -> zygote   {"stop": n}: the worker saw the job blow an output cap
    zygote -> worker   {"id": n, "exit_code": ..., "signal": ..., ...}: how it ended
                       (first a {"ready": true, ...} message)

The zygote never holds job data: the request, the answer, its output and its result
travel only between the worker and the job's own child, through pipes the zygote hands
over at fork and closes at once.  What the zygote reads is limits; what it writes is
exit statuses.  So nothing of one student's job is in the memory the next job's child
inherits.  No reference answers, secrets or database handles ever reach this process.
"""

from __future__ import annotations

import array
import ctypes
import gc
import json
import os
import socket
import sys
import time
from typing import Any

JOBS_DIR = "/jobs"
MAX_MESSAGE = 4096
JOB_FDS = 4  # request, stdout, stderr, result


def send(sock: socket.socket, document: dict[str, Any]) -> None:
    sock.send(json.dumps(document, separators=(",", ":")).encode())


def receive(sock: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the descriptors that came with it; (None, []) at end-of-file."""
    fds = array.array("i")
    data, ancillary, flags, _ = sock.recvmsg(MAX_MESSAGE, socket.CMSG_SPACE(JOB_FDS * fds.itemsize))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    if not data:
        for fd in fds:
            os.close(fd)
        return None, []
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        for fd in fds:
            os.close(fd)
        raise SystemExit("truncated message from the worker")
    return json.loads(data), list(fds)


def serve(sock: socket.socket, read_only: tuple[str, ...], tripwires: tuple[int, ...]) -> None:
    from . import child, layers
    from .supervise import SETUP_FAILED, wait_child

    me = os.getpid()
    while True:
        header, fds = receive(sock)
        if header is None:
            return
        if "stop" in header:  # for a job that has already ended
            continue
        if len(fds) != JOB_FDS:
            for fd in fds:
                os.close(fd)
            raise SystemExit(f"a job needs {JOB_FDS} descriptors, got {len(fds)}")
        plan = layers.LayerPlan(
            memory_mb=int(header["memory_mb"]),
            cpu_seconds=int(header["cpu_seconds"]),
            file_bytes=int(header["file_bytes"]),
            read_only_paths=read_only,
            job_dir=JOBS_DIR,
            namespaces=bool(header.get("namespaces", True)),
            tmpfs_bytes=int(header["tmpfs_bytes"]),
            tmpfs_inodes=int(header["tmpfs_inodes"]),
            landlock=bool(header.get("landlock", True)),
            seccomp=bool(header.get("seccomp", True)),
            rlimits=bool(header.get("rlimits", True)),
            autograd_tripwires=tripwires if header.get("forbid_autograd") else (),
        )
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # the job child
            try:
                child.setup_process(me)
                child.arrange_fds(*fds)
                child.run_child(plan)
            finally:
                os._exit(SETUP_FAILED)
        for fd in fds:
            os.close(fd)

        def stop_requested() -> bool:
            message, extra = receive(sock)
            for fd in extra:
                os.close(fd)
            return message is not None

        end = wait_child(
            pid,
            wall_seconds=float(header["wall_seconds"]),
            started=started,
            control_fd=sock.fileno(),
            stop_requested=stop_requested,
        )
        send(
            sock,
            {
                "id": header.get("id"),
                "exit_code": end.exit_code,
                "signal": end.signal,
                "timed_out": end.timed_out,
                "wall_ms": end.wall_ms,
                "cpu_seconds": end.cpu_seconds,
                "max_rss_kb": end.max_rss_kb,
            },
        )


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
    sock = socket.socket(fileno=int(spec["control_fd"]))
    # Nothing printed by torch or Python goes anywhere but the log (stderr).
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
    tripwires = layers.autograd_addresses()
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
    send(
        sock,
        {
            "ready": True,
            "pid": os.getpid(),
            "uid": os.getuid(),
            "landlock_abi": layers.landlock_abi(),
            "rss": rss_bytes(),
            "tasks": len(os.listdir("/proc/self/task")),
            "huge_pages": huge_pages,
            "torch": torch.__version__,
        },
    )
    serve(sock, tuple(spec["read_only"]), tripwires)
