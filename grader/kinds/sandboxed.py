"""What the kinds whose answers run in the sandbox (formula, code) share: an item of
such a kind is graded by its own one-check exercise spec (a quiz's formula question),
through the sandbox, by the grading function the caller hands in (`ItemContext.run`)."""

from __future__ import annotations

from typing import Any

from ..results import CheckResult
from .base import AnswerKind, ItemContext, result


class SandboxKind(AnswerKind):
    def grade(self, item: dict[str, Any], answer: Any, ctx: ItemContext) -> CheckResult:
        text = answer.strip() if isinstance(answer, str) else ""
        if not text:
            return result(item, 0.0, "No answer.")
        if ctx.run is None:
            raise RuntimeError(f"grading a {self.name} item needs ItemContext.run")
        refusal = self.refusal(item, text)
        if refusal:
            return result(item, 0.0, refusal)
        outcome = ctx.run(ctx.specs[item["id"]], text)
        check = outcome.results["tests"][0]
        misconception = outcome.results["extra"].get("misconception")
        if check["status"] == "passed":
            output = "Correct."
        else:  # the misconception's message, or what the comparison (or the sandbox) said
            output = misconception["message"] if misconception else check["output"]
        return result(
            item,
            float(outcome.score),
            output,
            read_as=outcome.results["extra"].get("read_as", ""),
            misconception=misconception["name"] if misconception else "",
            checked=check["output"],
        )

    def refusal(self, item: dict[str, Any], text: str) -> str:
        """Why ``text`` is not run at all (it cannot be read), or ""."""
        return ""

    def reference(self, item: dict[str, Any], params: dict[str, Any]) -> Any:
        return item["solution"]

    def problems(self, item: dict[str, Any], params: dict[str, Any]) -> list[str]:
        # Checked by running its one-check spec through checkcourse (grader.validation).
        return []
