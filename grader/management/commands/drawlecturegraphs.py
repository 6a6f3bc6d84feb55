"""Draw the autograd graphs of the lecture's own examples for the notes pages.

    python manage.py drawlecturegraphs            # writes static/notes/graphs/*.svg
    python manage.py drawlecturegraphs --check    # exit 1 if a committed picture is stale

The notes pages are served by web processes, which never import torch; so the pictures
are drawn here, once, by the same code that draws a student's graph on the result card
(grader.sandbox.graph.describe, grader.graphs.svg), and committed as static files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from grader.graphs import svg
from grader.sandbox.graph import describe


def _square() -> tuple[dict[str, Any], dict[str, Any]]:
    import torch

    x = torch.tensor(3.0, requires_grad=True)
    y = x**2
    return {"y": y}, {"x": x, "y": y}


def _sin_square() -> tuple[dict[str, Any], dict[str, Any]]:
    import torch

    x = torch.tensor(2.0, requires_grad=True)
    y = x**2
    z = torch.sin(y)
    return {"z": z}, {"x": x, "y": y, "z": z}


def _logistic() -> tuple[dict[str, Any], dict[str, Any]]:
    import torch

    x, y = torch.tensor(1.5), torch.tensor(1.0)
    w = torch.tensor(0.8, requires_grad=True)
    b = torch.tensor(-0.2, requires_grad=True)
    z = w * x + b
    y_hat = torch.sigmoid(z)
    loss = torch.nn.functional.binary_cross_entropy(y_hat, y)
    return {"loss": loss}, {"w": w, "b": b, "z": z, "y_hat": y_hat, "loss": loss}


# file name -> (title, the example's tensors)
EXAMPLES: dict[str, tuple[str, Callable[[], tuple[dict[str, Any], dict[str, Any]]]]] = {
    "square": ("y = x² (§5)", _square),
    "sin-square": ("z = sin(x²) (§2, §5)", _sin_square),
    "logistic": ("the logistic model with BCE (§4)", _logistic),
}


def drawings() -> dict[str, str]:
    pictures = {}
    for name, (title, make) in EXAMPLES.items():
        roots, names = make()
        graph = describe(roots, names)
        assert graph is not None
        pictures[f"{name}.svg"] = svg(graph, title=title)
    return pictures


class Command(BaseCommand):
    help = "Draw the autograd graphs of the lecture's examples (static/notes/graphs/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="fail if a picture is stale")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(settings.BASE_DIR) / "static" / "notes" / "graphs"
        stale = []
        for name, text in drawings().items():
            path = folder / name
            if options["check"]:
                if not path.exists() or path.read_text(encoding="utf-8") != text:
                    stale.append(name)
                continue
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {path.relative_to(settings.BASE_DIR)}")
        if stale:
            raise CommandError(f"stale: {', '.join(stale)}; run manage.py drawlecturegraphs")
