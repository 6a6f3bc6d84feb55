"""Hostile answers: every one is contained, and the next job is still graded correctly.

Each case asserts (1) what the sandbox reported (score 0 or a clear error: the status,
and for scripts that catch their own failure, the errno the layer produced), (2) no
side effect outside the job dir (host files checked where the case tries to write), and
(3) via the ``contained`` fixture, that the calling process is alive, the zygote was not
replaced, and the next formula job returns torch autograd's derivative of sin(x^2).
"""

from __future__ import annotations

import errno
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.sandbox import Job, Limits, SandboxResult, run
from grader.sandbox.client import ZygoteBackend, default_client

from .conftest import POINTS, assert_next_job_graded

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "autograd_course" / "settings.py"
SHORT = Limits(wall_seconds=1.5, cpu_seconds=1)
DEFAULT = Limits()


def zygote() -> ZygoteBackend:
    backend = default_client().backend
    assert isinstance(backend, ZygoteBackend), "run() must use the zygote backend"
    return backend


@pytest.fixture(autouse=True)
def contained() -> Iterator[None]:
    """Around every case: the zygote survives it and the next job grades correctly."""
    assert_next_job_graded()  # also starts the zygote if needed
    backend = zygote()
    assert backend.proc is not None
    pid, starts = backend.proc.pid, backend.starts
    yield
    assert_next_job_graded()
    assert backend.proc is not None and backend.proc.pid == pid, "the zygote was replaced"
    assert backend.starts == starts


def script(
    answer: str, read: list[str] | None = None, limits: Limits = DEFAULT, **globals_: Any
) -> SandboxResult:
    return run(Job("script", answer, {"globals": globals_, "read": read or ["out"]}, limits=limits))


def out(result: SandboxResult) -> Any:
    assert result.status == "ok", result
    return result.outputs["values"]["out"]


def host_marker() -> Path:
    return Path("/tmp") / f"agsandbox-pwned-{secrets.token_hex(6)}"


# --- time ------------------------------------------------------------------------------


def test_infinite_loop() -> None:
    started = time.monotonic()
    result = script("while True:\n    pass\n", limits=SHORT)
    assert result.status == "timeout"
    assert time.monotonic() - started < 4


def test_sleep_forever_hits_wall_clock() -> None:
    # An answer that sleeps uses no CPU: only the wall-clock limit can stop it.
    result = script("import time\ntime.sleep(1000)\n", limits=Limits(wall_seconds=1.0))
    assert result.status == "timeout" and "time limit" in result.error


def test_cpu_limit_even_if_sigxcpu_is_caught() -> None:
    answer = (
        "import signal\nsignal.signal(signal.SIGXCPU, lambda *a: None)\nwhile True:\n    pass\n"
    )
    result = script(answer, limits=Limits(wall_seconds=10, cpu_seconds=1))
    assert result.status == "timeout" and "CPU" in result.error


def test_thread_left_running_does_not_hang_the_job() -> None:
    answer = (
        "import threading\n"
        "threading.Thread(target=lambda: [0 for _ in iter(int, 1)]).start()\n"
        "out = 1\n"
    )
    assert out(script(answer, limits=SHORT)) == 1


# --- memory ----------------------------------------------------------------------------


def test_recursion_bomb() -> None:
    result = script("def f():\n    return f()\nf()\n")
    assert result.status == "ok"
    assert result.outputs["error"].startswith("RecursionError")


def test_recursion_limit_raised_then_c_stack_exhausted() -> None:
    answer = "import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\nf(0)\n"
    result = script(answer, limits=SHORT)
    # Python 3.11 keeps Python frames off the C stack, so this ends at whichever limit
    # comes first (memory, CPU); a RecursionError in the script's error is fine too.
    assert result.status in ("crashed", "limit", "timeout") or result.outputs["error"]


@pytest.mark.parametrize(
    "answer",
    [
        "import torch\nt = torch.empty(10**11)\n",
        "import torch\nt = torch.ones(2 * 10**9)\n",  # 8 GB of float32
        "x = [0] * (750 * 10**6)\n",  # 6 GB of pointers
        "b = bytearray(10**10)\n",
        "import numpy\na = numpy.ones(10**9)\n",
    ],
    ids=["torch.empty(1e11)", "8GB-tensor", "6GB-list", "10GB-bytearray", "8GB-numpy"],
)
def test_memory_bombs_fail_fast(answer: str) -> None:
    started = time.monotonic()
    result = script(answer)
    assert result.status == "limit", result
    assert "memory" in result.error
    assert time.monotonic() - started < 3


def test_memory_grown_slowly() -> None:
    answer = "chunks = []\nwhile True:\n    chunks.append(bytearray(50 * 2**20))\n"
    result = script(answer)
    assert result.status == "limit" and "memory" in result.error


def test_three_thousand_threads() -> None:
    # Sleeping threads, so that all 3000 are alive at once.
    answer = (
        "import threading, time\n"
        "ts = [threading.Thread(target=time.sleep, args=(5,), daemon=True) "
        "for _ in range(3000)]\n"
        "for t in ts:\n    t.start()\n"
    )
    result = script(answer, limits=Limits(wall_seconds=3))
    assert result.status == "limit" and "thread" in result.error


# --- processes -------------------------------------------------------------------------


def test_fork_bomb() -> None:
    answer = (
        "import os\n"
        "try:\n"
        "    while True:\n        os.fork()\n"
        "except OSError as e:\n    out = e.errno\n"
    )
    assert out(script(answer)) == errno.EPERM


def test_fork_bomb_after_setsid() -> None:
    answer = (
        "import os\n"
        "try:\n    os.setsid()\nexcept OSError:\n    pass\n"
        "try:\n    os.fork()\n    out = 'forked'\n"
        "except OSError as e:\n    out = e.errno\n"
    )
    assert out(script(answer)) == errno.EPERM


@pytest.mark.parametrize(
    "call",
    [
        "subprocess.run(['/usr/bin/id'])",
        "subprocess.Popen('touch MARK', shell=True)",
        "os.execv('/usr/bin/touch', ['touch', 'MARK'])",
        "os.posix_spawn('/usr/bin/touch', ['touch', 'MARK'], {})",
        "multiprocessing.Process(target=print).start()",
        "pty.fork()",
    ],
    ids=["subprocess.run", "shell", "execv", "posix_spawn", "multiprocessing", "pty.fork"],
)
def test_no_new_programs_or_processes(call: str) -> None:
    marker = host_marker()
    answer = (
        "import os, subprocess, multiprocessing, pty\n"
        f"try:\n    {call.replace('MARK', str(marker))}\n    out = 'ran'\n"
        "except OSError as e:\n    out = e.errno or str(e)\n"
    )
    result = script(answer)
    # pty.fork fails earlier, opening /dev/ptmx: "out of pty devices"
    assert out(result) in (errno.EPERM, errno.ENOSYS, errno.EACCES, "out of pty devices"), result
    assert not marker.exists()


def test_os_system_does_nothing() -> None:
    marker = host_marker()
    result = script(f"import os\nout = os.system('touch {marker}')\n")
    assert out(result) != 0
    assert not marker.exists()


# --- reading what it must not ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "/etc/shadow",
        str(SETTINGS),
        str(ROOT / ".env"),
        "/root/.bash_history",
        "/proc/1/environ",
        "/proc/2/environ",
        "/proc/2/cmdline",
        "/proc/2/mem",
        "/proc/2/maps",
        "/var/run/postgresql/.s.PGSQL.5432",
        "/opt/agsandbox/../../work/main/autograd_course/settings.py",
    ],
)
def test_cannot_read(path: str) -> None:
    answer = (
        "import os\n"
        f"path = {path!r}.replace('/proc/2/', '/proc/%d/' % os.getppid())\n"
        "try:\n"
        "    with open(path, 'rb') as f:\n        out = f.read(100).decode('latin-1')\n"
        "except OSError as e:\n    out = e.errno\n"
    )
    assert out(script(answer)) in (errno.ENOENT, errno.EACCES, errno.EPERM)


def test_settings_file_exists_on_the_host_but_not_in_the_jail() -> None:
    assert SETTINGS.exists(), "the test needs the worker's settings file on the host"
    answer = "import os\nout = [os.path.exists(p) for p in ('/work/main/autograd_course',)]\n"
    assert out(script(answer)) == [False]


def test_parent_memory_via_process_vm_readv_and_ptrace() -> None:
    answer = (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "buf = ctypes.create_string_buffer(64)\n"
        "class IOV(ctypes.Structure):\n"
        "    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]\n"
        "local = IOV(ctypes.cast(buf, ctypes.c_void_p), 64)\n"
        "remote = IOV(0x400000, 64)\n"
        "r1 = libc.process_vm_readv(os.getppid(), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)\n"
        "e1 = ctypes.get_errno()\n"
        "r2 = libc.ptrace(16, os.getppid(), 0, 0)\n"  # PTRACE_ATTACH
        "e2 = ctypes.get_errno()\n"
        "out = [r1, e1, r2, e2]\n"
    )
    assert out(script(answer)) == [-1, errno.EPERM, -1, errno.EPERM]


def test_previous_answer_not_in_memory() -> None:
    token = secrets.token_hex(16)
    first = script(f"# reference = {token}\nsecret = '{token}'\nout = 1\n")
    assert out(first) == 1
    reversed_token = token[::-1]
    answer = (
        "import gc, sys\n"
        f"target = {reversed_token!r}[::-1]\n"
        "found = []\n"
        "for obj in gc.get_objects():\n"
        "    try:\n"
        "        text = repr(obj) if isinstance(obj, (dict, list, tuple)) else ''\n"
        "    except Exception:\n"
        "        continue\n"
        "    if target in text and 'target' not in text:\n"
        "        found.append(type(obj).__name__)\n"
        "for m in list(sys.modules.values()):\n"
        "    if target in repr(getattr(m, '__dict__', {})):\n"
        "        found.append(getattr(m, '__name__', '?'))\n"
        "out = found\n"
    )
    assert out(script(answer)) == []


def test_job_dir_is_fresh_and_private() -> None:
    """Every job works in /jobs, but each on its own tmpfs: the next job sees none of
    the files the last one left, in /jobs, /tmp or /dev/shm.  (/tmp is the job's tmpfs
    too, or read-only when the venv lives below it, as in a CI clone under /tmp.)"""
    first = script(
        "import os\n"
        "written = []\n"
        "for d in ('.', '/tmp', '/dev/shm'):\n"
        "    try:\n"
        "        open(os.path.join(d, 'note.txt'), 'w').write('hi')\n"
        "        written.append(d)\n"
        "    except OSError:\n"
        "        pass\n"
        "out = [os.getcwd(), written]\n"
    )
    second = script(
        "import os\n"
        "def listing(d):\n"
        "    try:\n"
        "        return os.listdir(d)\n"
        "    except OSError:\n"
        "        return 'denied'\n"
        "out = [os.getcwd(), [listing(d) for d in ('.', '/tmp', '/dev/shm')]]\n"
    )
    (cwd1, written), (cwd2, listings) = out(first), out(second)
    assert cwd1 == cwd2 == "/jobs"
    assert {".", "/dev/shm"} <= set(written)
    assert listings[0] == [] and listings[2] == []
    # the job's own tmpfs (empty), or the read-only jail /tmp Landlock does not let it list
    assert listings[1] == [] or listings[1] == "denied"


# --- writing what it must not ----------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/x",
        "/work/main/pwned",
        "/opt/agsandbox/sandbox/runner.py",
        "/root/.pyenv/versions/3.11.7/lib/python3.11/os.py",
        "/work/main/.venv/lib/python3.11/site-packages/pwned.pth",
        "/usr/lib/pwned",
        "/proc/self/attr/current",
    ],
)
def test_cannot_write_outside_job_dir(path: str) -> None:
    answer = (
        "try:\n"
        f"    with open({path!r}, 'a') as f:\n        f.write('pwned')\n    out = 'written'\n"
        "except OSError as e:\n    out = e.errno\n"
    )
    assert out(script(answer)) in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT)
    assert not Path("/work/main/pwned").exists()


def test_sandbox_code_on_host_unchanged() -> None:
    runner = ROOT / "grader" / "sandbox" / "runner.py"
    before = runner.read_bytes()
    answer = (
        "import os\n"
        "errs = []\n"
        "for act in (lambda: os.remove('/opt/agsandbox/sandbox/runner.py'),\n"
        "            lambda: os.rename('/opt/agsandbox/sandbox/runner.py', 'r.py'),\n"
        "            lambda: os.chmod('/opt/agsandbox/sandbox/runner.py', 0o777),\n"
        "            lambda: os.truncate('/opt/agsandbox/sandbox/runner.py', 0)):\n"
        "    try:\n        act()\n        errs.append(0)\n"
        "    except OSError as e:\n        errs.append(e.errno)\n"
        "out = errs\n"
    )
    assert 0 not in out(script(answer))
    assert runner.read_bytes() == before


def test_symlink_tricks_in_job_dir() -> None:
    answer = (
        "import os\n"
        "os.symlink('/opt/agsandbox/sandbox/runner.py', 'link')\n"
        "os.symlink('/opt/agsandbox/sandbox', 'dirlink')\n"
        "os.symlink('/', 'root')\n"
        "errs = []\n"
        "for act in (lambda: open('link', 'w'), lambda: open('dirlink/new.py', 'w'),\n"
        "            lambda: open('root/etc/passwd'),\n"
        "            lambda: os.link('/opt/agsandbox/sandbox/runner.py', 'hard2'),\n"
        "            lambda: os.rename('link', '/tmp/moved')):\n"
        "    try:\n        act()\n        errs.append(0)\n"
        "    except OSError as e:\n        errs.append(e.errno)\n"
        "try:\n"  # Linux link() links the symlink itself, never its target
        "    os.link('link', 'hard')\n"
        "    errs.append(-1 if not os.path.islink('hard') else 1)\n"
        "except OSError as e:\n    errs.append(e.errno)\n"
        "out = errs\n"
    )
    errs = out(script(answer))
    assert 0 not in errs and -1 not in errs


def test_an_unremovable_job_dir_is_still_dropped() -> None:
    answer = (
        "import os\n"
        "os.makedirs('a/b/c')\n"
        "open('a/b/c/f', 'w').write('x')\n"
        "os.symlink('/opt/agsandbox/sandbox', 'a/b/link')\n"
        "os.chmod('a/b/c', 0)\n"
        "os.chmod('a/b', 0)\n"
        "os.chmod('a', 0o500)\n"
        "out = 1\n"
    )
    assert out(script(answer)) == 1
    # nothing followed the link into the package when the job's tmpfs went
    assert out(script("import os\nout = os.path.exists('/opt/agsandbox/sandbox/runner.py')\n"))


def test_a_tree_too_deep_for_a_recursive_wipe() -> None:
    answer = "import os\nfor _ in range(3000):\n    os.mkdir('d')\n    os.chdir('d')\nout = 1\n"
    assert out(script(answer)) == 1
    # The job's tmpfs is dropped whole with it: the zygote stays (the fixture checks).


def test_one_gigabyte_file() -> None:
    answer = (
        "with open('big', 'wb') as f:\n    for _ in range(1024):\n        f.write(bytes(2**20))\n"
    )
    result = script(answer)
    assert result.status == "limit" and "file size" in result.error


def test_filling_the_job_disk() -> None:
    answer = (
        "i = 0\n"
        "while True:\n"
        "    with open(f'f{i}', 'wb') as f:\n        f.write(bytes(60 * 2**20))\n"
        "    i += 1\n"
    )
    result = script(answer, limits=Limits(wall_seconds=10))
    assert result.status == "limit" and "disk" in result.error


# --- network ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "port"),
    [("127.0.0.1", 6379), ("127.0.0.1", 5432), ("127.0.0.1", 8000), ("8.8.8.8", 53)],
)
def test_no_tcp(host: str, port: int) -> None:
    answer = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(({host!r}, {port}), timeout=1)\n    out = 'connected'\n"
        "except OSError as e:\n    out = e.errno\n"
    )
    assert out(script(answer)) == errno.EPERM


def test_no_unix_sockets() -> None:
    answer = (
        "import socket\n"
        "errs = []\n"
        "for addr in ('/var/run/postgresql/.s.PGSQL.5432', '/run/redis.sock', '\\0abstract'):\n"
        "    try:\n"
        "        s = socket.socket(socket.AF_UNIX)\n        s.connect(addr)\n"
        "        errs.append(0)\n"
        "    except OSError as e:\n        errs.append(e.errno)\n"
        "out = errs\n"
    )
    assert out(script(answer)) == [errno.EPERM] * 3


def test_no_listening_server() -> None:
    answer = (
        "import socket\n"
        "try:\n    socket.create_server(('127.0.0.1', 8765))\n    out = 'listening'\n"
        "except OSError as e:\n    out = e.errno\n"
    )
    assert out(script(answer)) == errno.EPERM


# --- descriptors, signals, the result channel -----------------------------------------


def test_inherited_fds() -> None:
    answer = (
        "import os\n"
        "fds = []\n"
        "for fd in range(4, 1024):\n"
        "    try:\n        os.fstat(fd)\n        fds.append(fd)\n"
        "    except OSError:\n        pass\n"
        "try:\n    os.read(0, 1)\n    stdin = 'read'\nexcept OSError as e:\n    stdin = e.errno\n"
        "out = [fds, stdin]\n"
    )
    fds, stdin = out(script(answer))
    assert fds == [] and stdin == "read"  # fd 0 is an empty pipe: read() returns b""


def test_kill_parent_and_others() -> None:
    answer = (
        "import os, signal\n"
        "errs = []\n"
        "for pid in (os.getppid(), 1, -1, 0 - os.getppid()) + tuple(range(1, 64)):\n"
        "    if pid == os.getpid():\n        continue\n"
        "    try:\n        os.kill(pid, signal.SIGKILL)\n        errs.append(pid)\n"
        "    except OSError:\n        pass\n"
        "out = errs\n"
    )
    assert out(script(answer)) == []


def test_kill_whole_group_and_session() -> None:
    answer = "import os, signal\nos.killpg(os.getpgid(0), signal.SIGKILL)\nout = 1\n"
    result = script(answer)
    assert result.status == "ok" and result.outputs["error"].startswith("PermissionError")


@pytest.mark.parametrize("protocol", ["script", "call"])
def test_sys_exit(protocol: str) -> None:
    if protocol == "script":
        result = script("import sys\nsys.exit(0)\n")
        assert result.outputs["error"].startswith("SystemExit")
    else:
        result = run(
            Job("call", "import sys\nsys.exit(3)\n", {"calls": [{"id": "a", "function": "f"}]})
        )
        assert result.status == "error" and "SystemExit" in result.error


def test_os_exit() -> None:
    result = script("import os\nos._exit(0)\n")
    assert result.status == "crashed" and "before it produced a result" in result.error


def test_segfault_via_ctypes() -> None:
    result = script("import ctypes\nctypes.string_at(0)\n")
    assert result.status == "crashed" and "SIGSEGV" in result.error


def test_abort() -> None:
    result = script("import os\nos.abort()\n")
    assert result.status == "crashed" and "SIGABRT" in result.error


@pytest.mark.parametrize(
    "forged",
    [
        b'{"status": "ok", "outputs": {"score": 1.0}, "error": ""}',
        b'{"status": "ok", "outputs": {"values": {"out": 1}, "error": null, "score": 1},'
        b' "error": ""}',
        b'{"status": "ok", "outputs": {"values": {"out": 1, "extra": 2}, "error": null},'
        b' "error": ""}',
        b'{"status": "ok", "outputs": {"values": {"out": {"__tensor__": true, "dtype": '
        b'"float32", "shape": [3], "requires_grad": false, "data": [1.0]}}, "error": null},'
        b' "error": ""}',
        b'{"status": "ok", "outputs": {"values": {"out": 1e999}}, "error": ""}',
        b'{"status": "crashed", "outputs": {}, "error": "x"}',
        b'{"status": "ok", "outputs": {"values": {"out": 1}, "error": null}, "error": ""}'
        b'{"status": "ok", "outputs": {}, "error": ""}',
        b"\xff\xfe not json",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=[
        "score",
        "extra-key",
        "extra-path",
        "wrong-shape",
        "non-finite",
        "bad-status",
        "two-documents",
        "not-utf8",
        "deep-nesting",
    ],
)
def test_forged_result(forged: bytes) -> None:
    answer = f"import os\nos.write(3, {forged!r})\nos._exit(0)\n"
    result = script(answer)
    assert result.status == "crashed" and "invalid result" in result.error
    assert result.outputs == {}


def test_forged_result_plus_real_result_is_rejected() -> None:
    answer = 'import os\nos.write(3, b\'{"status": "ok", "outputs": {}, "error": ""}\')\nout = 1\n'
    assert script(answer).status == "crashed"


def test_oversized_result() -> None:
    answer = "def f():\n    return [1.5] * 3_000_000\n"
    result = run(Job("call", answer, {"calls": [{"id": "a", "function": "f"}]}))
    assert result.status == "limit"


def test_forged_result_in_formula_protocol_is_impossible() -> None:
    # The formula protocol runs no student code at all: injection attempts are parse errors.
    marker = host_marker()
    for answer in (
        f"__import__('os').system('touch {marker}')",
        "x; import os",
        "exec('1')",
        "x.__class__",
        "eval('x')",
        "(lambda: x)()",
        "x if 1 else 2",
    ):
        result = run(Job("formula", answer, {"points": POINTS}))
        assert result.status == "error" and result.error.startswith("FormulaError"), answer
    assert not marker.exists()


# --- output ----------------------------------------------------------------------------


@pytest.mark.parametrize("stream", ["stdout", "stderr"])
def test_200_megabytes_of_output(stream: str) -> None:
    answer = f"import sys\nfor _ in range(200):\n    sys.{stream}.write('x' * 2**20)\n"
    started = time.monotonic()
    result = script(answer)
    assert result.status == "limit" and "output" in result.error
    assert len(getattr(result, stream)) <= Limits().output_bytes
    assert time.monotonic() - started < 3


def test_non_utf8_and_nul_output() -> None:
    answer = (
        "import sys\n"
        "sys.stdout.buffer.write(b'ok \\xff\\xfe\\x00 \\xc3')\n"
        "sys.stderr.buffer.write(b'\\x00\\x80')\n"
        "out = 'nul\\x00inside \\udc80'\n"
    )
    result = script(answer)
    assert result.status == "ok"
    for text in (result.stdout, result.stderr, result.outputs["values"]["out"]):
        assert "\x00" not in text
        text.encode("utf-8")  # storable as PostgreSQL text
    assert result.stdout.startswith("ok ")


# --- the kernel surface ----------------------------------------------------------------


def test_dangerous_syscalls_denied() -> None:
    answer = (
        "import ctypes, os, resource\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "def sc(*args):\n"
        "    r = libc.syscall(*args)\n"
        "    return ctypes.get_errno() if r == -1 else 'allowed'\n"
        "res = {\n"
        "    'unshare': sc(272, 0x10000000),\n"  # unshare(CLONE_NEWUSER)
        "    'mount': sc(165, b'none', b'/tmp', b'tmpfs', 0, 0),\n"
        "    'bpf': sc(321, 0, 0, 0),\n"
        "    'perf_event_open': sc(298, 0, 0, -1, -1, 0),\n"
        "    'userfaultfd': sc(323, 0),\n"
        "    'keyctl': sc(250, 0, 0),\n"
        "    'io_uring_setup': sc(425, 1, 0),\n"
        "    'memfd_create': sc(319, b'x', 0),\n"
        "    'clone3': sc(435, 0, 0),\n"
        "    'setns': sc(308, 0, 0),\n"
        "    'chroot': sc(161, b'.'),\n"
        "}\n"
        "try:\n"
        "    resource.setrlimit(resource.RLIMIT_AS, (-1, -1))\n    res['setrlimit'] = 'allowed'\n"
        "except (OSError, ValueError) as e:\n    res['setrlimit'] = getattr(e, 'errno', 1)\n"
        "out = res\n"
    )
    res = out(script(answer))
    assert "allowed" not in res.values(), res
    assert res["clone3"] == errno.ENOSYS
