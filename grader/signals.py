"""What grading announces to the apps above it.

Grading never imports the apps that act on a score (the LTI grade passback, say):
they connect a receiver here instead. The signals are sent inside the transaction
that wrote the score, with ids only, so a receiver that sends work to a worker must
do so on commit, and reads the rows again there."""

from __future__ import annotations

from django.dispatch import Signal

# A student's kept score on one exercise was recomputed (a grade, a grading error, an
# instructor's override or its removal, a regrade). Arguments: student_id, exercise_id.
exercise_score_changed = Signal()

# One of a student's quiz attempts reached a final state (graded or error), so the
# quiz's kept score may have changed. Arguments: student_id, quiz_id.
quiz_score_changed = Signal()
