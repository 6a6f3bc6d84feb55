"""Attacks between jobs and on the sandbox as a whole, at the ``run(Job(...))`` level.

Each case asserts what the attacking answer (or the student after it) can see or what
it costs the host, and ends with ``assert_next_job_graded()``: the next student's formula
job still runs and returns torch autograd's derivative of sin(x^2).

None of these answers may mention "optim", "_dynamo" or "compile": such answers run in
the second zygote (client.needs_optim), and the cross-job cases need one shared zygote.
"""

from __future__ import annotations

import errno
import secrets
import time
from pathlib import Path
from typing import Any

import pytest

from grader.sandbox import Job, Limits, SandboxResult, run
from grader.sandbox.client import default_client
from tests.support.wait import wait_until

from .conftest import assert_next_job_graded

DEFAULT = Limits()
SCAN = Limits(wall_seconds=10, cpu_seconds=8)
DENIED = (errno.EPERM, errno.ENOSYS)
# What a reader may see instead of another job's IPC object: refused, or nothing there.
NOTHING_THERE = (errno.EPERM, errno.ENOSYS, errno.ENOENT, errno.EACCES)
MIB = 1 << 20
SHMEM_MARGIN = 128 * MIB


def script(answer: str, read: list[str] | None = None, limits: Limits = DEFAULT) -> SandboxResult:
    return run(Job("script", answer, {"globals": {}, "read": read or ["out"]}, limits=limits))


def out(result: SandboxResult) -> Any:
    assert result.status == "ok", result
    return result.outputs["values"]["out"]


# --- 1. privacy between jobs -------------------------------------------------------------

# Scans the job's own anonymous memory (inherited from the zygote) for anything that
# looks like another job's marker: b"MARK" + 12 hex digits in plain text or inside a
# base64 run (decoded at all four alignments), and the formula marker "0*<10 digits>.25".
# None of the needles is in this source: only the patterns are.  It plants a marker of
# its own, built at run time (plain and base64), and must find it: the positive control.
MEMORY_SCANNER = r"""
import base64, ctypes, os, re
head = b"MAR" + b"K"
mark_re = head + rb"[0-9a-f]{12}"
number_re = rb"0\*[0-9]{10}\.25"
control = head + ("%012x" % (os.getpid() * 7919 + 12345))[-12:].encode()
control_b64 = base64.b64encode(b"xx" + control + b"\n")
b64_heads = set()
for pad in range(3):
    enc = base64.b64encode(b"\0" * pad + head + b"\0\0\0")
    b64_heads.add(enc[-(-8 * pad // 6) : (8 * pad + 32) // 6])
plain, numbers, in_b64 = set(), set(), set()
chunks = 0
with open("/proc/self/maps") as maps:
    lines = maps.read().splitlines()
for line in lines:
    parts = line.split()
    if "r" not in parts[1] or (len(parts) > 5 and parts[5] not in ("[heap]", "[stack]")):
        continue
    start, end = (int(v, 16) for v in parts[0].split("-"))
    step = 8 << 20
    for lo in range(start, end, step):
        try:
            data = ctypes.string_at(lo, min(step + 256, end - lo))
        except Exception:
            continue
        chunks += 1
        plain.update(m.group().decode() for m in re.finditer(mark_re, data))
        numbers.update(m.group().decode() for m in re.finditer(number_re, data))
        for h in b64_heads:
            for m in re.finditer(re.escape(h), data):
                window = data[max(0, m.start() - 8) : m.start() + 40]
                for shift in range(4):
                    piece = window[shift:]
                    piece = piece[: len(piece) - len(piece) % 4]
                    try:
                        raw = base64.b64decode(piece)
                    except Exception:
                        continue
                    in_b64.update(mm.group().decode() for mm in re.finditer(mark_re, raw))
out = {
    "plain": sorted(plain),
    "numbers": sorted(numbers),
    "b64": sorted(in_b64),
    "control": control.decode(),
    "control_b64_len": len(control_b64),
    "chunks": chunks,
}
"""


def test_earlier_jobs_output_result_and_formula_are_not_in_the_next_jobs_memory() -> None:
    """Student A's formula job (its read_as carries a random number) runs, then student
    B's job scans its own readable memory; then A's script job (prints and stores a
    random marker) runs and B scans again.  Asserted: B's scanner works (each time it
    finds its own run-time marker, plain and base64) and never finds any of A's
    markers, neither plain nor base64-encoded (the form in which results travelled
    between the zygote and the worker)."""
    digits = str(secrets.randbelow(9 * 10**9) + 10**9)
    formula = run(Job("formula", f"2*x*cos(x^2) + 0*{digits}.25", {"points": [0.5, 1.0]}))
    assert formula.status == "ok", formula
    assert f"0*{digits}.25" in formula.outputs["read_as"]
    after_formula = out(script(MEMORY_SCANNER, limits=SCAN))

    marker = "MARK" + secrets.token_hex(6)
    a = script(f"marker = {marker[::-1]!r}[::-1]\nprint(marker)\nout = marker\n")
    assert out(a) == marker and marker in a.stdout
    after_script = out(script(MEMORY_SCANNER, limits=SCAN))

    for found in (after_formula, after_script):
        assert found["chunks"] > 0
        assert found["control"] in found["plain"], "the scanner must find its own marker"
        assert found["control"] in found["b64"], "the scanner must find its own base64 marker"
    leaked = {
        "formula read_as": f"0*{digits}.25" in after_formula["numbers"],
        "printed/stored marker": marker in after_script["plain"],
        "marker in base64": marker in after_script["b64"],
    }
    assert not any(leaked.values()), f"student A's data is readable by student B: {leaked}"
    assert_next_job_graded()


def test_a_job_holds_only_its_own_pipes_and_printed_frames_are_just_output() -> None:
    """The job's descriptors are its request, output and result pipes, nothing else (no
    control socket to talk to the zygote or the worker through); a reply-shaped line it
    prints, or bytes it writes to every other descriptor number, change nothing."""
    answer = (
        "import errno, json, os, stat\n"
        "fds = sorted(int(n) for n in os.listdir('/proc/self/fd'))\n"
        "kinds = {}\n"
        "for fd in fds:\n"
        "    try:\n"
        "        kinds[fd] = stat.S_ISFIFO(os.fstat(fd).st_mode)\n"
        "    except OSError:\n"
        "        pass\n"
        "fake = {'id': 1, 'exit_code': 0, 'signal': None, 'timed_out': False}\n"
        "print(json.dumps(fake))\n"
        "refused = []\n"
        "for fd in range(4, 64):\n"
        "    try:\n"
        "        os.write(fd, json.dumps(fake).encode())\n"
        "    except OSError as e:\n"
        "        refused.append(e.errno == errno.EBADF)\n"
        "out = [list(kinds), all(kinds.values()), all(refused), len(refused)]\n"
    )
    result = script(answer)
    fds, all_pipes, all_bad, tried = out(result)
    # /proc/self/fd lists 0-3 plus the descriptor of the listing itself (closed by now)
    assert fds == [0, 1, 2, 3] and all_pipes and all_bad and tried == 60
    assert result.stdout.startswith('{"id": 1, "exit_code": 0')  # just the job's output
    assert_next_job_graded()


# --- 2. SysV and POSIX IPC ---------------------------------------------------------------

IPC_CALLS = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
res = {}
def record(name, call):
    ctypes.set_errno(0)
    r = call()
    res[name] = ctypes.get_errno() if r == -1 else "allowed"
IPC_CREAT_0600 = 0o1600
record("shmget(IPC_PRIVATE)", lambda: libc.shmget(0, 4096, IPC_CREAT_0600))
record("shmget(key)", lambda: libc.shmget(KEY, 4096, IPC_CREAT_0600))
record("msgget(IPC_PRIVATE)", lambda: libc.msgget(0, IPC_CREAT_0600))
record("msgget(key)", lambda: libc.msgget(KEY + 1, IPC_CREAT_0600))
record("semget(IPC_PRIVATE)", lambda: libc.semget(0, 1, IPC_CREAT_0600))
record("semget(key)", lambda: libc.semget(KEY + 2, 1, IPC_CREAT_0600))
record("mq_open", lambda: libc.mq_open(
    b"/agsandbox-%d" % KEY, os.O_CREAT | os.O_RDWR, 0o600, None))
out = res
"""


def test_sysv_and_posix_ipc_calls_are_refused() -> None:
    """shmget, msgget, semget (private and with a fixed key) and mq_open all fail inside a
    job with EPERM or ENOSYS (mq_open: or EACCES): no IPC object can be created, so none can outlive the job
    or be shared with another one."""
    key = secrets.randbelow(1 << 30) + 1
    res = out(script(IPC_CALLS.replace("KEY", str(key))))
    assert set(res) == {
        "shmget(IPC_PRIVATE)",
        "shmget(key)",
        "msgget(IPC_PRIVATE)",
        "msgget(key)",
        "semget(IPC_PRIVATE)",
        "semget(key)",
        "mq_open",
    }
    # mq_open may also be refused by the kernel itself (EACCES: the IPC namespace's
    # mqueue root belongs to a uid the sandbox does not map).
    allowed = {name: DENIED + ((errno.EACCES,) if name == "mq_open" else ()) for name in res}
    assert {name: v for name, v in res.items() if v not in allowed[name]} == {}, res
    assert_next_job_graded()


# Each snippet defines write(key, text) -> errno or "written" and read(key) -> errno or
# the text found; both report failures as errno values, never raise.
IPC_KINDS = {
    "shm": r"""
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
FAILED = ctypes.c_void_p(-1).value
def write(key, text):
    sid = libc.shmget(key, 4096, 0o1600)
    if sid == -1:
        return ctypes.get_errno()
    addr = libc.shmat(sid, None, 0)
    if addr in (None, FAILED):
        return ctypes.get_errno()
    ctypes.memmove(addr, text.encode() + b"\0", len(text) + 1)
    return "written"
def read(key):
    sid = libc.shmget(key, 0, 0)
    if sid == -1:
        return ctypes.get_errno()
    addr = libc.shmat(sid, None, 0o10000)
    if addr in (None, FAILED):
        return ctypes.get_errno()
    return ctypes.string_at(addr).decode("latin-1")
""",
    "msg": r"""
import ctypes, struct
libc = ctypes.CDLL(None, use_errno=True)
def write(key, text):
    qid = libc.msgget(key, 0o1600)
    if qid == -1:
        return ctypes.get_errno()
    buf = ctypes.create_string_buffer(struct.pack("q", 1) + text.encode())
    if libc.msgsnd(qid, buf, len(text), 0o4000) == -1:
        return ctypes.get_errno()
    return "written"
def read(key):
    qid = libc.msgget(key, 0)
    if qid == -1:
        return ctypes.get_errno()
    buf = ctypes.create_string_buffer(8 + 256)
    n = libc.msgrcv(qid, buf, 256, 0, 0o4000)
    if n == -1:
        return ctypes.get_errno()
    return buf.raw[8 : 8 + n].decode("latin-1")
""",
    "mq": r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
def write(key, text):
    mqd = libc.mq_open(b"/agsandbox-%d" % key, os.O_CREAT | os.O_RDWR, 0o600, None)
    if mqd == -1:
        return ctypes.get_errno()
    if libc.mq_send(mqd, text.encode(), len(text), 0) == -1:
        return ctypes.get_errno()
    return "written"
def read(key):
    mqd = libc.mq_open(b"/agsandbox-%d" % key, os.O_RDWR | os.O_NONBLOCK)
    if mqd == -1:
        return ctypes.get_errno()
    buf = ctypes.create_string_buffer(1 << 16)
    n = libc.mq_receive(mqd, buf, 1 << 16, None)
    if n == -1:
        return ctypes.get_errno()
    return buf.raw[:n].decode("latin-1")
""",
}


@pytest.mark.parametrize("kind", sorted(IPC_KINDS))
def test_ipc_objects_carry_nothing_between_jobs(kind: str) -> None:
    """Job 1 (student A) stores a marker under a fixed key; job 2 (student B) opens that
    key and reads, then stores its own marker under a second key; job 3 (student A
    again) reads that one.  Asserted: both reads find nothing (an errno: refused or no
    such object), so nothing A or B created survives their job, in either direction."""
    helpers = IPC_KINDS[kind]
    key_ab, key_ba = (secrets.randbelow(1 << 30) + 1 for _ in range(2))
    mark_a, mark_b = ("MARK" + secrets.token_hex(6) for _ in range(2))

    a = out(script(helpers + f"out = write({key_ab}, {mark_a!r})\n"))
    b = out(script(helpers + f"out = [read({key_ab}), write({key_ba}, {mark_b!r})]\n"))
    a_again = out(script(helpers + f"out = read({key_ba})\n"))

    b_read, b_wrote = b
    assert b_read in NOTHING_THERE, f"B read {b_read!r} from A's key (A's write: {a!r})"
    assert a_again in NOTHING_THERE, f"A read {a_again!r} from B's key (B's: {b_wrote!r})"
    assert_next_job_graded()


# --- 3. threads and memory as a whole ---------------------------------------------------

THREADS = r"""
import threading
threading.stack_size(64 * 1024)
stop = threading.Event()
started, err = 0, None
try:
    for _ in range(3000):
        threading.Thread(target=stop.wait, daemon=True).start()
        started += 1
except Exception as e:
    err = type(e).__name__ + ": " + str(e)
with open("/proc/self/status") as f:
    live = int([line for line in f if line.startswith("Threads:")][0].split()[1])
stop.set()
out = [started, live, err]
"""


def test_a_job_cannot_start_thousands_of_threads() -> None:
    """An answer that shrinks the thread stack size (so the address-space limit does not
    stop it) and starts up to 3000 threads, each blocked on an Event.  Asserted: it ends
    within its wall limit + 2 s, either stopped with status "limit", or "ok" having had
    at most 256 threads alive at once (its own count from /proc/self/status)."""
    limits = Limits(wall_seconds=8, cpu_seconds=6)
    started = time.monotonic()
    result = script(THREADS, limits=limits)
    assert time.monotonic() - started <= limits.wall_seconds + 2
    assert result.status in ("ok", "limit"), result
    if result.status == "limit":
        assert "thread" in result.error or "process" in result.error, result
    else:
        count, live, _ = out(result)
        assert live <= 256 and count <= 256, f"{count} threads started, {live} alive at once"
    assert_next_job_graded()


# Stores as much as it can, 32 MiB at a time: SysV shared memory segments (attached,
# filled, detached: they outlive the job if nothing removes them), files in its job dir,
# files in /dev/shm.  Reports the bytes each kind took and the first error of each.
PIN_MEMORY = r"""
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
libc.shmdt.argtypes = [ctypes.c_void_p]
CHUNK = 32 << 20
stored = {"sysv": 0, "files": 0, "devshm": 0}
errors = {}
def fill_sysv():
    for _ in range(20):
        sid = libc.shmget(0, CHUNK, 0o1600)
        if sid == -1:
            errors["sysv"] = ctypes.get_errno()
            return
        addr = libc.shmat(sid, None, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            errors["sysv"] = ctypes.get_errno()
            return
        ctypes.memset(addr, 0x5A, CHUNK)
        libc.shmdt(addr)
        stored["sysv"] += CHUNK
def fill_files(kind, directory):
    block = b"\x5a" * (1 << 20)
    for i in range(20):
        try:
            fd = os.open(os.path.join(directory, "pin%d" % i), os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                for _ in range(CHUNK // len(block)):
                    stored[kind] += os.write(fd, block)
            finally:
                os.close(fd)
        except OSError as e:
            errors[kind] = e.errno
            return
fill_sysv()
fill_files("files", ".")
fill_files("devshm", "/dev/shm")
out = [stored, errors]
"""


def _shmem_bytes() -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("Shmem:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no Shmem line in /proc/meminfo")


def test_a_job_cannot_pin_more_than_its_memory_budget_beyond_its_life() -> None:
    """An answer that writes ~600 MiB into SysV shared memory, then into files in its job
    dir and in /dev/shm.  Asserted: everything it managed to store together is at most
    its memory budget (512 MiB), and after the job the host's Shmem (/proc/meminfo) is
    back within 128 MiB of what it was before (waiting up to 3 s): nothing it stored
    stays pinned after it.  (Shmem is the whole host's: the margin leaves room for a job
    of the other test process, at most one 64 MiB tmpfs, far below the 600 MiB tried.)"""
    limits = Limits(wall_seconds=20, cpu_seconds=15)
    before = _shmem_bytes()
    try:
        result = script(PIN_MEMORY, limits=limits)
        assert result.status in ("ok", "limit"), result
        if result.status == "ok":
            stored, errors = out(result)
            total = sum(stored.values())
            assert total <= limits.memory_mb * MIB, (
                f"stored {total / MIB:.0f} MiB > {limits.memory_mb} MiB: {stored} {errors}"
            )
        # The job's tmpfs is freed as its namespace goes away, just after the result.
        wait_until(
            lambda: _shmem_bytes() - before <= SHMEM_MARGIN,
            3,
            lambda: (
                f"host Shmem to come back (still {(_shmem_bytes() - before) / MIB:.0f} "
                "MiB above before)"
            ),
            interval=0.1,
        )
    finally:
        if _shmem_bytes() - before > SHMEM_MARGIN:
            # Test hygiene only: free whatever stayed pinned before the next test runs.
            default_client().close()
    assert_next_job_graded()


# --- 4. cleanup is bounded ---------------------------------------------------------------

DIRECTORY_TREES = {
    # 400 directories of 1000 directories each, as fast as mkdir goes.
    "wide": r"""
import os, time
t0 = time.monotonic()
n, err = 0, None
try:
    while n < 400000:
        if n % 1000 == 0:
            os.mkdir("d%d" % (n // 1000))
        os.mkdir("d%d/%d" % (n // 1000, n % 1000))
        n += 1
        if n % 1000 == 0 and time.monotonic() - t0 > 2.5:
            break
except OSError as e:
    err = e.errno
out = [n, err]
""",
    # a/a/a/... as deep as it gets, one chdir per level.
    "deep": r"""
import os, time
t0 = time.monotonic()
n, err = 0, None
try:
    while n < 400000:
        os.mkdir("a")
        os.chdir("a")
        n += 1
        if n % 500 == 0 and time.monotonic() - t0 > 2.5:
            break
except OSError as e:
    err = e.errno
out = [n, err]
""",
}


@pytest.mark.parametrize("shape", sorted(DIRECTORY_TREES))
def test_huge_directory_tree_is_cleaned_up_in_bounded_time(shape: str) -> None:
    """An answer that makes as many directories as it can in ~2.5 s (up to 400,000; a
    wide tree or a deep chain).  Asserted: run() returns within the wall limit + 2 s
    (cleaning up after the job included) with a clear status ("ok" with its count, or
    "limit" about disk space), never "crashed"; the next student's formula job then
    starts, finishes in under 3 s and is graded correctly."""
    limits = Limits(wall_seconds=4, cpu_seconds=4)
    started = time.monotonic()
    result = script(DIRECTORY_TREES[shape], limits=limits)
    elapsed = time.monotonic() - started
    assert result.status in ("ok", "limit"), result
    if result.status == "ok":
        count, _ = out(result)
        assert count > 0
    else:
        assert "disk" in result.error or "space" in result.error, result
    assert elapsed <= limits.wall_seconds + 2, f"run() took {elapsed:.1f} s"

    started = time.monotonic()
    after = assert_next_job_graded()
    assert time.monotonic() - started < 3, "the next job waited for the cleanup"
    assert after.status != "crashed"


def test_torch_and_python_state_a_job_changes_does_not_reach_the_next_job() -> None:
    """Student A changes what every later answer would compute with: torch's default
    dtype, its random seed, torch.sin itself, a builtin, and files where Python and
    torch look for modules and settings. Student B's job, in the same worker, sees none
    of it: each job is a fresh fork of a zygote that never runs student code."""
    poison = (
        "import builtins, os, torch\n"
        "torch.set_default_dtype(torch.float64)\n"
        "torch.manual_seed(1234)\n"
        "torch.sin = lambda t: torch.zeros_like(t)\n"
        "builtins.abs = lambda v: 42\n"
        "for folder in ('.', '/tmp', os.path.expanduser('~')):\n"
        "    try:\n"
        "        with open(os.path.join(folder, 'sitecustomize.py'), 'w') as f:\n"
        "            f.write('import torch; torch.sin = lambda t: t * 0')\n"
        "    except OSError:\n"
        "        pass\n"
        "out = [str(torch.get_default_dtype()), float(torch.sin(torch.tensor(1.0))), abs(-3)]\n"
    )
    assert out(script(poison)) == ["torch.float64", 0.0, 42]  # it did change them, for itself

    probe = (
        "import torch\n"
        "first = torch.rand(1).item()\n"
        "torch.manual_seed(1234)\n"
        "seeded = torch.rand(1).item()\n"
        "out = [str(torch.get_default_dtype()), float(torch.sin(torch.tensor(1.0))), abs(-3),\n"
        "       first == seeded]\n"
    )
    dtype, sine, absolute, same_stream = out(script(probe))
    assert (dtype, absolute, same_stream) == ("torch.float32", 3, False)
    assert abs(sine - 0.8414709848) < 1e-6
    assert_next_job_graded()
