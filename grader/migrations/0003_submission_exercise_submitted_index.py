"""An index for the grading console's "submissions to one exercise, newest first".

Without it PostgreSQL walks the submitted_at index backwards and filters: for an early
exercise in a 200,000-row course that skipped 180,000 rows (275 ms); with it, 1 ms.

Database-only for now (SeparateDatabaseAndState): the Submission model belongs to the
spine, so the index is not yet in Submission.Meta.indexes. When it is added there
(models.Index(fields=["exercise", "-submitted_at"], name="submission_exercise_recent")),
this migration already matches it and makemigrations will see no change."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("grader", "0002_console")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AddIndex(
                    model_name="submission",
                    index=models.Index(
                        fields=["exercise", "-submitted_at"], name="submission_exercise_recent"
                    ),
                )
            ],
            state_operations=[],
        )
    ]
