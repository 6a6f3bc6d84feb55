"""Submission.idempotency_key: one attempt per key and student (a double click, a
retried API request), enforced by a partial unique constraint."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grader", "0003_submission_exercise_submitted_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="submission",
            name="idempotency_key",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.UniqueConstraint(
                condition=~models.Q(idempotency_key=""),
                fields=("student", "idempotency_key"),
                name="one_submission_per_idempotency_key",
            ),
        ),
    ]
