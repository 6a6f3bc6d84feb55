from __future__ import annotations

from dataclasses import dataclass

from exercises.models import Exercise, Quiz
from exercises.selectors import exercises_active

from .pages import sections_of


@dataclass(frozen=True)
class QuizQuestionRef:
    quiz: Quiz
    # 1-based, as the quiz numbers its questions. The prompt is not shown here: a quiz
    # shows its questions only inside an attempt.
    number: int


@dataclass(frozen=True)
class SectionPractice:
    exercises: list[Exercise]
    questions: list[QuizQuestionRef]


def section_practice(*, number: int) -> SectionPractice:
    """The active exercises and quiz questions that practise § ``number`` of the notes
    (by the exercise's `notes_section` and each question's `section`)."""
    exercises = [e for e in exercises_active() if number in sections_of(e.notes_section)]
    questions = [
        QuizQuestionRef(quiz=quiz, number=i)
        for quiz in Quiz.objects.filter(is_active=True)
        for i, question in enumerate(quiz.questions, start=1)
        if number in sections_of(str(question.get("section", "")))
    ]
    return SectionPractice(exercises=exercises, questions=questions)
