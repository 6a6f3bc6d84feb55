"""The three protocols and forbid_autograd, end to end through run()."""

from __future__ import annotations

import math

import pytest
import torch

from grader.sandbox import Job, Limits, run
from grader.sandbox.codec import decode, encode

from .conftest import POINTS, assert_next_job_graded, expected_chain_rule


def test_formula_ok() -> None:
    result = assert_next_job_graded()
    assert result.outputs["read_as"] == "2*x*cos(x^2)"
    assert result.error == "" and result.wall_ms > 0


def test_formula_implicit_and_nonfinite() -> None:
    result = run(Job("formula", "2x cos(x^2) + 1/x", {"points": [0.0, 1.0]}))
    assert result.status == "ok"
    assert result.outputs["values"][0] in ("inf", "nan")
    assert math.isclose(result.outputs["values"][1], 2 * math.cos(1.0) + 1.0)
    assert result.outputs["read_as"] == "2*x*cos(x^2) + 1/x"


def test_formula_parse_error_is_an_error() -> None:
    result = run(Job("formula", "2x cos(y^2)", {"points": POINTS}))
    assert result.status == "error"
    assert "unknown name 'y'" in result.error and result.outputs == {}


def test_call_protocol() -> None:
    answer = (
        "import torch\n"
        "def grads(w, x):\n"
        "    w = w.clone().requires_grad_(True)\n"
        "    (w * x).sum().backward()\n"
        "    return w.grad\n"
        "def broken(a):\n"
        "    raise ValueError('nope ' + str(a))\n"
        "CONST = 3\n"
    )
    w = encode(torch.tensor([1.0, 2.0]))
    x = encode(torch.tensor([3.0, 4.0]))
    result = run(
        Job(
            "call",
            answer,
            {
                "calls": [
                    {"id": "b0", "function": "grads", "args": [w, x]},
                    {"id": "b1", "function": "broken", "args": [7]},
                    {"id": "b2", "function": "missing"},
                    {"id": "b3", "function": "CONST"},
                    {"id": "b4", "function": "grads", "kwargs": {"w": w, "x": x}},
                ]
            },
        )
    )
    assert result.status == "ok", result
    results = result.outputs["results"]
    assert torch.equal(decode(results["b0"]["value"]), torch.tensor([3.0, 4.0]))
    assert results["b1"] == {"error": "ValueError: nope 7 (line 7)"}
    assert "NameError" in results["b2"]["error"] and "missing" in results["b2"]["error"]
    assert "not a function" in results["b3"]["error"]
    assert results["b4"] == results["b0"]


def test_call_syntax_error_names_the_line() -> None:
    result = run(Job("call", "def f(:\n  pass\n", {"calls": [{"id": "a", "function": "f"}]}))
    assert result.status == "error"
    assert result.error.startswith("SyntaxError on line 1")


def test_call_unencodable_return_is_per_call_error() -> None:
    result = run(
        Job("call", "def f():\n  return object()\n", {"calls": [{"id": "a", "function": "f"}]})
    )
    assert result.status == "ok"
    assert "cannot be graded" in result.outputs["results"]["a"]["error"]


def test_script_protocol_reads_paths_and_reports_error() -> None:
    answer = (
        "import torch\n"
        "loss = (w * x).sum()\n"
        "loss.backward()\n"
        "print('loss', float(loss))\n"
        "y = b * 2\n"  # NameError: b is not defined
    )
    inputs = {
        "globals": {
            "w": encode(torch.tensor([1.0, 2.0], requires_grad=True)),
            "x": encode(torch.tensor([3.0, 4.0])),
        },
        "read": ["w.grad", "loss", "y", "x.grad"],
    }
    result = run(Job("script", answer, inputs))
    assert result.status == "ok", result
    values = result.outputs["values"]
    assert torch.equal(decode(values["w.grad"]), torch.tensor([3.0, 4.0]))
    assert decode(values["loss"]).item() == 11.0
    assert values["y"] is None and values["x.grad"] is None
    assert result.outputs["error"] == "NameError: name 'b' is not defined (line 5)"
    assert result.stdout == "loss 11.0\n"


def test_script_runtime_error_message() -> None:
    answer = "import torch\nw = torch.tensor([1.0])\n(w * 2).sum().backward()\n"
    result = run(Job("script", answer, {"read": ["w.grad"]}))
    assert result.status == "ok"
    assert result.outputs["error"].startswith(
        "RuntimeError: element 0 of tensors does not require grad"
    )


def test_forbid_autograd_stops_the_job_that_reaches_it() -> None:
    """The tripwire: the job ends at the first operation that records a graph, whatever
    the answer does to catch it, and the line is named."""
    answer = (
        "import torch\n"
        "w = torch.tensor([1.0, 2.0], requires_grad=True)\n"
        "try:\n"
        "    loss = (w ** 2).sum()\n"
        "    loss.backward()\n"
        "except BaseException:\n"
        "    pass\n"
        "manual = 2 * w.detach()\n"
    )
    result = run(Job("script", answer, {"read": ["manual"]}, forbid_autograd=True))
    assert result.status == "error" and result.autograd_blocked, result
    assert result.outputs == {}
    assert "stopped on line 4 when it used autograd" in result.error


def test_forbid_autograd_clean_answer_runs_as_usual() -> None:
    result = run(
        Job(
            "call",
            "import torch\ndef d(x):\n  with torch.set_grad_enabled(False):\n    return 2*x\n",
            {"calls": [{"id": "a", "function": "d", "args": [3.0]}]},
            forbid_autograd=True,
        )
    )
    assert result.status == "ok" and not result.autograd_blocked
    assert result.outputs == {"results": {"a": {"value": 6.0}}}


def test_forbid_autograd_formula() -> None:
    result = run(Job("formula", "2x", {"points": [1.0]}, forbid_autograd=True))
    assert result.outputs == {"values": [2.0], "read_as": "2*x"}


def test_count_backward_counts_the_passes_of_each_call() -> None:
    """backward(), torch.autograd.grad and a second pass are counted per call; passes at
    import time or in another call do not count for a call that ran none."""
    answer = (
        "import torch\n"
        "t = torch.tensor(1.0, requires_grad=True)\n"
        "(t * t).backward()\n"  # at import time: belongs to no call
        "def with_backward(a):\n"
        "    x = torch.tensor(a, requires_grad=True)\n"
        "    (x * x).backward()\n"
        "    return x.grad\n"
        "def with_grad_twice(a):\n"
        "    x = torch.tensor(a, requires_grad=True)\n"
        "    torch.autograd.grad(x * x, x)\n"
        "    return torch.autograd.grad(x ** 3, x)[0]\n"
        "def by_hand(a):\n"
        "    return 2 * a\n"
    )
    calls = [
        {"id": "b", "function": "with_backward", "args": [3.0]},
        {"id": "g", "function": "with_grad_twice", "args": [3.0]},
        {"id": "h", "function": "by_hand", "args": [3.0]},
    ]
    result = run(Job("call", answer, {"calls": calls}, count_backward=True))
    assert result.status == "ok", result
    assert result.outputs["backward_passes"] == {"b": 1, "g": 2, "h": 0}
    assert result.outputs["results"]["h"] == {"value": 6.0}
    # Without count_backward the outputs are exactly the protocol's.
    plain = run(Job("call", answer, {"calls": calls}))
    assert set(plain.outputs) == {"results"}


def test_count_backward_in_a_script() -> None:
    ran = "import torch\nx = torch.tensor(2.0, requires_grad=True)\n(x ** 2).backward()\n"
    none = "import torch\nx = torch.tensor(2.0, requires_grad=True)\ng = 2 * x.detach()\n"
    assert (
        run(Job("script", ran, {"read": ["x.grad"]}, count_backward=True)).outputs[
            "backward_passes"
        ]
        == 1
    )
    assert (
        run(Job("script", none, {"read": ["g"]}, count_backward=True)).outputs["backward_passes"]
        == 0
    )


def test_timeout() -> None:
    result = run(
        Job("script", "while True:\n  pass\n", {}, limits=Limits(wall_seconds=1.0, cpu_seconds=10))
    )
    assert result.status == "timeout", result
    assert_next_job_graded()


def test_malformed_jobs_raise() -> None:
    with pytest.raises(ValueError, match="unknown protocol"):
        run(Job("eval", "1", {}))
    with pytest.raises(ValueError, match="points"):
        run(Job("formula", "x", {"points": "1"}))
    with pytest.raises(ValueError, match="call"):
        run(Job("call", "", {"calls": [{"id": "a"}]}))
    with pytest.raises(ValueError, match="read"):
        run(Job("script", "", {"read": ["w.__class__"]}))
    with pytest.raises(ValueError, match="encoding"):
        run(Job("script", "", {"globals": {"w": float("nan")}}))


def test_expected_helper_is_autograd() -> None:
    got = expected_chain_rule([0.3])
    assert math.isclose(got[0], 2 * 0.3 * math.cos(0.09), rel_tol=1e-15)


def test_an_answer_using_torch_optim_does_not_pay_for_importing_it() -> None:
    """torch.optim's first optimizer imports ~800 modules (~1 s): the zygote does it
    once, so a job that trains with SGD or Adam runs in milliseconds, far from the CPU
    limit (before, a correct use of SGD took ~0.8 s and could time out under load)."""
    answer = (
        "import time, torch\n"
        "started = time.process_time()\n"
        "w = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)\n"
        "for make in (torch.optim.SGD, torch.optim.Adam):\n"
        "    opt = make([w], lr=0.1)\n"
        "    for _ in range(3):\n"
        "        opt.zero_grad()\n"
        "        ((w - 2.0) ** 2).backward()\n"
        "        opt.step()\n"
        "loss = torch.nn.functional.binary_cross_entropy(torch.sigmoid(w), torch.tensor(1.0, dtype=torch.float64))\n"
        "cpu_ms = (time.process_time() - started) * 1000\n"
    )
    result = run(Job("script", answer, {"read": ["cpu_ms"]}, limits=Limits(cpu_seconds=1)))
    assert result.status == "ok", result
    assert result.outputs["values"]["cpu_ms"] < 100


def test_only_answers_that_mention_torch_optim_run_in_the_zygote_that_loaded_it() -> None:
    """Two zygotes per worker process: loading torch.optim (and torch._dynamo with it)
    made every job ~3 ms dearer to fork and run, so only the answers that mention it
    run in the zygote that has it; the others (most answers) in the lighter one."""
    from grader.sandbox.client import default_client

    # (spelled in pieces: the name itself is one of the markers)
    probe = "import sys\nloaded = 'torch._' + 'dyn' + 'amo' in sys.modules\n"
    plain = Job("script", probe, {"read": ["loaded"]})
    # The same probe, but the answer mentions torch.optim (in a comment, even).
    optim = Job("script", "# uses torch.optim\n" + probe, {"read": ["loaded"]})
    client = default_client()
    assert client.backend_for(plain) is client.backend
    assert client.backend_for(optim) is client.optim_backend is not client.backend
    assert run(plain).outputs["values"]["loaded"] is False
    assert run(optim).outputs["values"]["loaded"] is True
    formula = Job("formula", "2*x*cos(x^2)  # optim", {"points": [0.5]})
    assert client.backend_for(formula) is client.backend
