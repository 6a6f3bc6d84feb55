"""Sandbox benchmark (not a test): cold process vs bare zygote fork vs the full sandbox.

    .venv/bin/python bench/sandbox.py [--jobs 300] [--cold-jobs 10]

Every measurement runs the same job, the chain-rule check (the formula 2*x*cos(x^2) at
five points, as a student's answer to d/dx sin(x^2)), timed end to end from the calling
process: validation of the job, transport, fork, layers, torch, result validation.

(a) cold: a fresh ``python -I -S`` per job that imports torch (ColdBackend, its layers on)
(b) bare: the zygote in bubblewrap, fork with no per-job layer (no namespaces, rlimits,
    Landlock, seccomp, no_new_privs, cgroup): the floor
(c0) every layer but the job's own namespaces and tmpfs (the sandbox as it was before
    them), to price that layer in the same run
(c) full: the zygote with every layer (what ``run()`` uses for most answers: the zygote
    without torch.optim; answers that mention torch.optim go to the one with it,
    measured too), and (c'') a "by hand" job (the autograd tripwire on top)
plus jobs/s with two zygotes driven concurrently, and the RSS of zygote and child.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import multiprocessing
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader.sandbox import Job
from grader.sandbox.client import Client, ZygoteBackend
from grader.sandbox.cold import ColdBackend
from grader.sandbox.validate import check_job

JOB = Job("formula", "2*x*cos(x^2)", {"points": [0.3, -1.2, 0.0, 2.5, 1.0]})
SCRIPT_RSS = (
    "import re\n"
    "text = open('/proc/self/smaps_rollup').read()\n"
    "out = {k: int(v) for k, v in re.findall(r'^(Rss|Private_Dirty|Pss):\\s+(\\d+)', text, re.M)}\n"
)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(client: Client, n: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        assert client.run(JOB).status == "ok"
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        result = client.run(JOB)
        samples.append((time.perf_counter() - started) * 1000)
        assert result.status == "ok", result
    return samples


def summary(name: str, samples: list[float]) -> dict[str, float]:
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    print(
        f"{name:<34} n={len(samples):<4} p50={p50:8.2f} ms  p95={p95:8.2f} ms  "
        f"mean={statistics.fmean(samples):8.2f} ms"
    )
    return {"p50": p50, "p95": p95}


def _throughput_worker(n: int, barrier: Any, queue: Any) -> None:
    # Like a Celery prefork child: its own process, its own zygote.
    client = Client(ZygoteBackend(optim=False))
    timed(client, 0, warmup=3)
    barrier.wait()
    started = time.perf_counter()
    for _ in range(n):
        assert client.run(JOB).status == "ok"
    queue.put((started, time.perf_counter()))
    client.close()


def throughput(n_per_zygote: int, workers: int = 2) -> float:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_throughput_worker, args=(n_per_zygote, barrier, queue))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    spans = [queue.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join()
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    return workers * n_per_zygote / elapsed


def interleaved(runs: list[tuple[Client, Job]], n: int) -> list[list[float]]:
    """Alternate the clients job by job, so drift in the machine hits them equally."""
    for client, _ in runs:
        timed(client, 0, warmup=5)
    samples: list[list[float]] = [[] for _ in runs]
    for _ in range(n):
        for (client, job), bucket in zip(runs, samples, strict=True):
            started = time.perf_counter()
            result = client.run(job)
            bucket.append((time.perf_counter() - started) * 1000)
            assert result.status == "ok", result
    return samples


def zygote_host_rss_kb(backend: ZygoteBackend) -> int:
    """VmRSS of the python process inside bwrap (bwrap -> its pid 1 -> python)."""
    assert backend.proc is not None
    pids = [backend.proc.pid]
    best = 0
    while pids:
        pid = pids.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        pids.extend(int(c) for c in children)
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                best = max(best, int(line.split()[1]))
    return best


def tree_cpu_seconds(backend: ZygoteBackend) -> float:
    """CPU used by the zygote's process tree, reaped job children included."""
    assert backend.proc is not None
    pids, total = [backend.proc.pid], 0
    while pids:
        pid = pids.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        pids.extend(int(c) for c in children)
    return total / os.sysconf("SC_CLK_TCK")


def cpu_per_job(client: Client, n: int) -> tuple[float, float]:
    """(sandbox-side, caller-side) CPU milliseconds per job: load-independent cost."""
    backend = client.backend
    assert isinstance(backend, ZygoteBackend)
    before, mine = tree_cpu_seconds(backend), os.times()
    for _ in range(n):
        assert client.run(JOB).status == "ok"
    after, mine_after = tree_cpu_seconds(backend), os.times()
    caller = (mine_after.user + mine_after.system) - (mine.user + mine.system)
    return (after - before) / n * 1000, caller / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--cold-jobs", type=int, default=10)
    args = parser.parse_args()

    print(f"date     {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(
        f"machine  {platform.node()} {platform.machine()}, {os.cpu_count()} cpus, "
        f"kernel {platform.release()}, Python {platform.python_version()}"
    )
    try:
        import torch

        print(f"torch    {torch.__version__}")
    except ImportError:
        pass

    print(
        f"load average at start {os.getloadavg()[0]:.2f} (other work on the machine skews "
        "every number below)"
    )
    full = Client(ZygoteBackend(optim=False))
    started = time.perf_counter()
    full.run(JOB)
    print(
        f"zygote start (bwrap + torch import + warm-up): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    bare = Client(
        ZygoteBackend(
            landlock=False,
            seccomp=False,
            rlimits=False,
            namespaces=False,
            optim=False,
            cgroup=False,
        )
    )
    shared = Client(ZygoteBackend(namespaces=False, optim=False))
    optim = Client(ZygoteBackend(optim=True))
    by_hand = dataclasses.replace(JOB, forbid_autograd=True)
    full_samples, bare_samples, shared_samples, by_hand_samples, optim_samples = interleaved(
        [(full, JOB), (bare, JOB), (shared, JOB), (full, by_hand), (optim, JOB)], args.jobs
    )
    for client in (bare, shared, optim):
        client.close()
    b = summary("(b) bare fork of the zygote", bare_samples)
    c0 = summary("(c0) layers without the job's own namespaces", shared_samples)
    c = summary("(c) full sandbox (zygote + layers)", full_samples)
    summary("(c') the same, zygote with torch.optim", optim_samples)
    summary("(c'') a by-hand job (autograd tripwire)", by_hand_samples)
    print(f"the job's own namespaces and tmpfs: {c['p50'] - c0['p50']:+.2f} ms at p50")

    cold = Client(ColdBackend())
    a = summary("(a) cold process per job", timed(cold, args.cold_jobs, warmup=1))

    print(
        f"a/c (p50) = {a['p50'] / c['p50']:.0f}x   c/b (p50) = {c['p50'] / b['p50']:.2f}   "
        f"c/b (p95) = {c['p95'] / b['p95']:.2f}"
    )
    print(f"two concurrent zygotes: {throughput(args.jobs // 2):.0f} jobs/s")
    sandbox_ms, caller_ms = cpu_per_job(full, args.jobs)
    cores = os.cpu_count() or 1
    print(
        f"CPU per full-sandbox job: {sandbox_ms:.2f} ms in the zygote tree (fork, child, "
        f"reap) + {caller_ms:.2f} ms in the caller -> ceiling "
        f"{cores * 1000 / (sandbox_ms + caller_ms):.0f} jobs/s on {cores} idle cores"
    )

    backend = full.backend
    assert isinstance(backend, ZygoteBackend)
    zygote_rss = zygote_host_rss_kb(backend)
    outcome = backend.execute(check_job(JOB), JOB.limits)
    rss_job = full.run(Job("script", SCRIPT_RSS, {"read": ["out"]}))
    mem = rss_job.outputs["values"]["out"]
    print(
        f"RSS zygote {zygote_rss / 1024:.0f} MiB; child peak RSS {outcome.max_rss_kb / 1024:.0f} "
        f"MiB (shared with the zygote copy-on-write), child private dirty "
        f"{mem['Private_Dirty'] / 1024:.1f} MiB, PSS {mem['Pss'] / 1024:.0f} MiB"
    )
    full.close()
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
