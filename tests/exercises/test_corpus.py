"""The corpus of wrong answers written as students of the lecture write them
(tests/corpus/): every exercise has at least eight, none is a copy of an exercise's own
wrong/ example, and none gets full marks through the real grading path (the sandbox)."""

from pathlib import Path

import pytest

from exercises.course import exercise_folders, load_folder
from grader.corpus import feedback_is_numbers_only, grade_entry, load_corpus, solved

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
ENTRIES = load_corpus(CORPUS)


def _normal(text: str) -> str:
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    return " ".join("".join(lines).split())


def test_every_exercise_has_at_least_eight_wrong_answers_of_its_own() -> None:
    for folder in exercise_folders():
        spec = load_folder(folder)
        if spec.grading is None:
            continue
        mine = [e for e in ENTRIES if e.slug == spec.slug]
        assert len(mine) >= 8, spec.slug
        examples = {_normal(text) for text in spec.wrong_answers.values()}
        copied = [e.name for e in mine if _normal(e.answer) in examples]
        assert not copied, f"{spec.slug}: copies of wrong/ examples: {copied}"
        assert all(e.what for e in mine)


@pytest.mark.parametrize("slug", sorted({e.slug for e in ENTRIES}))
def test_no_corpus_answer_gets_full_marks(slug: str) -> None:
    graded = [grade_entry(e) for e in ENTRIES if e.slug == slug]
    solved_ones = [g.entry.name for g in graded if solved(g)]
    assert not solved_ones, f"wrong answers with full marks: {solved_ones}"


def test_numbers_only_is_told_apart_from_a_reason() -> None:
    count = {"output": "0 of 2 checks passed.", "tests": []}
    numeric = {
        "status": "failed",
        "output": "4 of 4 values differ; first at index [0]: got 2, expected -4.334",
    }
    assert feedback_is_numbers_only({**count, "tests": [numeric]}, "")
    assert not feedback_is_numbers_only({**count, "tests": [numeric]}, "sign-error")
    worded = {"status": "failed", "output": "dL/dw at x = 1.3: off by exactly 2"}
    assert not feedback_is_numbers_only({**count, "tests": [numeric, worded]}, "")
    assert not feedback_is_numbers_only({"output": "FormulaError: bad", "tests": []}, "")


def test_a_named_quantity_with_only_numbers_still_counts_as_numbers_only() -> None:
    from grader.explain import is_numbers_only

    assert is_numbers_only("dz/dx at x = 0.765: got 2.9, expected 2.2; 4 of 4 values differ.")
    assert is_numbers_only("w.grad (dy/dw): got -5.4, expected 13.97.")
    assert not is_numbers_only(
        "dz/dx at x = 0.765: it has the wrong sign: it is exactly −1 times the right value "
        "(got -2.2, expected 2.2; 4 of 4 values differ)."
    )


def test_a_wrong_dtype_counts_as_numbers_only_unless_a_reason_follows() -> None:
    from grader.explain import is_numbers_only

    bare = "the value slope returns: dtype is torch.float64, expected torch.float32."
    assert is_numbers_only(bare)
    assert is_numbers_only("x: requires_grad is True, expected False")
    assert not is_numbers_only(
        bare + " Keep the dtype the statement gives: torch.tensor(x0) of a Python float is "
        "float32, and .double() or dtype=torch.float64 changes it."
    )
