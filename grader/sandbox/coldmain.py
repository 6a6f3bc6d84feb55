"""Entry point of a cold job process (``python -I -S -c ...``): one process per job.

This is the slow reference backend (1.2-1.5 s per job, all of it importing torch) kept for
the benchmark and as a fallback; the zygote backend is the one ``run()`` uses.
argv: [-c, <package parent>, <site-packages>, <plan JSON>]; the request arrives on stdin
and the result fd is given in the plan.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from . import child, layers


def main() -> None:
    spec = json.loads(sys.argv[3])
    result_fd = int(spec.pop("result_fd"))
    forbid_autograd = bool(spec.pop("forbid_autograd", False))
    spec["read_only_paths"] = tuple(spec["read_only_paths"])
    plan = layers.LayerPlan(**spec)
    if plan.namespaces:
        # Now, while this process has one thread: a multithreaded process cannot make a
        # user namespace, and importing torch starts threads.
        layers.enter_private_namespaces(plan)
        plan = dataclasses.replace(plan, namespaces=False)
    import torch

    torch.set_num_threads(1)
    from .runner import warm_up

    # Not torch.optim: a process that runs one job gains nothing from importing it ahead
    # (a job that uses it imports it itself), and its ~1 s counts against the job's CPU
    # limit, which covers this whole process (a CI run hit the 4 s limit this way).
    warm_up(optim=False)
    if forbid_autograd:
        plan = dataclasses.replace(plan, autograd_tripwires=layers.autograd_addresses())
    # The request arrives on stdin (fd 0), as in a zygote's child.
    child.arrange_fds(0, 1, 2, result_fd)
    child.run_child(plan)
