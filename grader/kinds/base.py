"""What every answer kind provides (see grader/kinds/__init__.py for the registry).

An *item* is one thing a student answers: an exercise's part or a quiz question, a dict
read from info.json / quiz.json (`id`, `kind`, `prompt`, `max_score` and the kind's own
keys). An exercise's main answer box is an item too, of kind `formula` or `code`, graded
by its folder's checks (grader.grading.grade_answer)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.conf import settings

from ..results import CheckResult, Outcome

if TYPE_CHECKING:
    from exercises.course import ExerciseSpec


class AnswerRejected(Exception):
    """An answer we will not accept; the message is shown to the student as is."""

    def __init__(self, message: str, *, status: int = 400, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.line = line  # the answer's line at fault, which the code editor marks


def check_text(answer: Any, *, what: str = "answer") -> str:
    """Any typed answer: text, no NUL, valid UTF-8, within the size limit."""
    if not isinstance(answer, str):
        raise AnswerRejected(f"The {what} must be text.")
    if "\x00" in answer:
        raise AnswerRejected(f"The {what} contains a NUL byte; remove it and submit again.")
    size = len(answer.encode("utf-8", errors="surrogatepass"))
    limit = settings.GRADER_MAX_ANSWER_BYTES
    if size > limit:
        raise AnswerRejected(
            f"The {what} is {size:,} bytes; the limit is {limit:,} bytes.", status=413
        )
    try:
        answer.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AnswerRejected(f"The {what} is not valid UTF-8 text.") from exc
    return answer


@dataclass(frozen=True)
class ItemContext:
    """What grading one item may use besides the answer: the variant's parameters and,
    for the items that run in the sandbox (a quiz's formula questions), their one-check
    specs by item id and the function that grades them."""

    params: dict[str, Any]
    specs: Mapping[str, ExerciseSpec] = field(default_factory=dict)
    # Grades an answer to one of `specs` through the sandbox (grading.grade_answer with
    # this attempt's seed): handed in, so that the kinds sit below the grading pipeline.
    run: Callable[[ExerciseSpec, str], Outcome] | None = None


class AnswerKind(ABC):
    """One kind of answer. Adding a kind is one module under grader/kinds/ with a
    subclass of this, plus its widget template under templates/answers/."""

    name: ClassVar[str]
    # The widget: the label, the input and what goes with it (a preview), rendered with
    # `field` (a bound form field) and `item`.
    template: ClassVar[str]
    # The field's label where no prompt labels it (an exercise's main answer box).
    label: ClassVar[str] = ""
    # The sandbox protocols an exercise's main answer of this kind runs with; none for
    # kinds that are plain data, graded in the trusted process.
    protocols: ClassVar[tuple[str, ...]] = ()

    @property
    def sandboxed(self) -> bool:
        return bool(self.protocols)

    # The keys of an item the pages may see (the answer keys are not among them).
    public_keys: ClassVar[tuple[str, ...]] = (
        "id",
        "kind",
        "section",
        "prompt",
        "options",
        "multiple",
        "max_score",
        "name",
    )

    def public(self, item: dict[str, Any]) -> dict[str, Any]:
        """What the pages (and the database copy) hold of ``item``: never its answer."""
        return {k: item[k] for k in self.public_keys if k in item}

    def schema_problem(self, item: dict[str, Any]) -> str:
        """What is wrong with an item's own keys in a content file, or ""."""
        return ""

    @abstractmethod
    def field(self, item: dict[str, Any], *, label: str = "") -> forms.Field:
        """The form field of an answer to ``item``."""

    def intake(self, item: dict[str, Any], answer: Any) -> Any:
        """The answer as it will be stored, or AnswerRejected with what to fix. Runs in
        the web process before anything is stored: it reads, it never evaluates."""
        return check_text(answer)

    @abstractmethod
    def grade(self, item: dict[str, Any], answer: Any, ctx: ItemContext) -> CheckResult:
        """The graded answer to ``item``; never raises on what the student sent."""

    @abstractmethod
    def reference(self, item: dict[str, Any], params: dict[str, Any]) -> Any:
        """An answer that gets ``item`` right (checkcourse, tests, the demo)."""

    def problems(self, item: dict[str, Any], params: dict[str, Any]) -> list[str]:
        """What checkcourse finds wrong with ``item`` for one variant."""
        right = self.grade(item, self.reference(item, params), ItemContext(params))
        if not right.passed:
            return [f"{where(item)}: the reference answer fails: {right.output}"]
        return []

    def shown(self, item: dict[str, Any], answer: Any) -> str:
        """A stored answer as the result page shows it."""
        return "" if answer in (None, "", []) else str(answer)


def where(item: dict[str, Any]) -> str:
    return f"{'question' if 'section' in item else 'part'} {item['id']!r}"


def result(item: dict[str, Any], score: float, output: str, **extra: Any) -> CheckResult:
    """An item's CheckResult, labelled as a part or (with a § section) a quiz question."""
    question = "section" in item
    return CheckResult(
        name=item.get("name", item["id"]),
        score=score,
        max_score=float(item["max_score"]),
        output=output,
        visibility=item.get("visibility", "visible"),
        part="" if question else item["id"],
        question=item["id"] if question else "",
        section=item.get("section", ""),
        **extra,
    )
