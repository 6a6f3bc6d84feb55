"""QuizAttempt.draft_answers: what the student has typed so far, saved as they type."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("exercises", "0003_quiz_attempt_pipeline")]

    operations = [
        migrations.AddField(
            model_name="quizattempt",
            name="draft_answers",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="quizattempt",
            name="draft_saved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
