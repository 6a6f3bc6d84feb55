"""The `%%submit` magic in a real notebook, run by a real Jupyter kernel (nbclient +
ipykernel), against the site (live_server) and a real Celery worker grading the answers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from accounts.services import api_token_rotate

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.xdist_group("worker")]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec for this interpreter (where the client is installed), whatever
    kernels the machine has registered."""
    spec = tmp_path / "jupyter" / "kernels" / "course-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "course test",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    return "course-test"


def _cell(source: str, *tags: str) -> Any:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _shown(cell: Any) -> dict[str, str]:
    """The rich output of a cell (its text/html and text/plain)."""
    [output] = [o for o in cell.outputs if o.output_type in ("execute_result", "display_data")]
    return dict(output.data)


@pytest.mark.django_db(transaction=True)
def test_a_notebook_submits_cells_and_shows_the_graded_result_cards(
    course, student, live_server, celery_worker_process, broker_app, kernel_env, monkeypatch
) -> None:
    monkeypatch.setenv("AUTOGRAD_COURSE_URL", live_server.url)
    monkeypatch.setenv("AUTOGRAD_COURSE_TOKEN", api_token_rotate(user=student))
    content = ROOT / "exercises" / "content"
    code_answer = (content / "fix-runtime-error/solution.py").read_text()
    graph_answer = (content / "autograd-basics/solution.py").read_text()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        _cell("%load_ext autograd_course_client"),
        _cell("%%submit chain-rule\n2*x*cos(x**2)"),
        _cell("%%submit chain-rule\ncos(x**2)"),
        _cell("%%submit no-such-exercise\n1", "raises-exception"),
        _cell("%%submit fix-runtime-error\n" + code_answer),
        _cell("%%submit autograd-basics --part grad_fn=pow\n" + graph_answer),
    ]
    NotebookClient(notebook, timeout=180, kernel_name=kernel_env).execute()
    nbformat.write(notebook, ROOT / "var" / "test-client-notebook.ipynb")

    right, wrong = _shown(notebook.cells[1]), _shown(notebook.cells[2])
    print("right answer, text/html:\n" + right["text/html"])
    print("right answer, text/plain:\n" + right["text/plain"])
    print("wrong answer, text/html:\n" + wrong["text/html"])
    print("wrong answer, text/plain:\n" + wrong["text/plain"])

    assert '<h3 class="agc-score"' in right["text/html"]
    assert "chain-rule, attempt 1: 10 / 10" in right["text/html"]
    assert "We read your formula as: 2*x*cos(x^2)" in right["text/html"]
    assert right["text/plain"].startswith("chain-rule, attempt 1: 10 / 10")

    assert "chain-rule, attempt 2: 0 / 10" in wrong["text/html"]
    assert "Likely mistake:" in wrong["text/html"]
    assert "inner factor" in wrong["text/html"]
    assert 'class="agc-check failed"' in wrong["text/html"]

    # A refused answer is a one-line message, not a traceback.
    [refused] = notebook.cells[3].outputs
    assert (refused.output_type, refused.name) == ("stream", "stderr")
    assert refused.text == (
        "UsageError: The site refused the request (404): Unknown exercise 'no-such-exercise'.\n"
    )

    code = _shown(notebook.cells[4])
    assert code["text/plain"].startswith("fix-runtime-error, attempt 1: ")
    assert 'class="agc-check failed"' not in code["text/html"]
    # An exercise that draws the autograd graph: both pictures on the card.
    graph = _shown(notebook.cells[5])
    print("graph exercise, text/plain:\n" + graph["text/plain"])
    assert graph["text/plain"].startswith("autograd-basics, attempt 1: 10 / 10")
    assert "Your code built the same graph as the reference." in graph["text/html"]
    assert graph["text/html"].count('<img class="agc-graph"') == 2
    assert 'src="data:image/svg+xml;base64,' in graph["text/html"]
    assert student.submissions.count() == 4
