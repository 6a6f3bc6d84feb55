"""What the tool keeps beyond django-lti's registrations, deployments, contexts and
resource links (lti_tool): who a platform user is here, which activity a link opens
and where its grades go, and what was sent to the platform's gradebook."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from lti_tool.models import LtiContext, LtiResourceLink

from exercises.models import Exercise, Quiz


class LtiAccount(models.Model):
    """A platform user (issuer + subject) and the local account it logs in as.

    The link is made on the first launch and found by `iss` + `sub` on every later
    one. An e-mail address is never used to find an account: platforms let users
    change it, and two platforms may vouch for the same address."""

    issuer = models.CharField(max_length=255)
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_accounts"
    )
    name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_launch_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "sub"], name="one_account_per_lti_subject")
        ]

    def __str__(self) -> str:
        return f"{self.sub} @ {self.issuer}"


class ActivityLink(models.Model):
    """A resource link placed in a platform course, the exercise or quiz it opens, and
    the platform's line item its grades go to.

    One row per resource link, so one line item per placed activity: the line item URL
    is stored once found or created, and every later score goes to that URL."""

    resource_link = models.OneToOneField(
        LtiResourceLink, on_delete=models.CASCADE, related_name="activity"
    )
    exercise = models.ForeignKey(
        Exercise, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    quiz = models.ForeignKey(
        Quiz, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    lineitem_url = models.URLField(max_length=500, blank=True)
    # Set by the one worker that finds or creates the line item (a compare-and-set), so
    # two first grades of a link cannot make two line items; see grades.lineitem_ensure.
    lineitem_claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(exercise__isnull=False, quiz__isnull=True)
                    | models.Q(exercise__isnull=True, quiz__isnull=False)
                ),
                name="activity_link_opens_one_activity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_link} → {self.activity_key}"

    @property
    def context(self) -> LtiContext:
        return self.resource_link.context

    @property
    def activity_key(self) -> str:
        """`exercise:<slug>` or `quiz:<slug>`, as deep linking writes it in the link."""
        if self.exercise is not None:
            return f"exercise:{self.exercise.slug}"
        assert self.quiz is not None
        return f"quiz:{self.quiz.slug}"

    @property
    def title(self) -> str:
        activity = self.exercise or self.quiz
        assert activity is not None
        return activity.title

    @property
    def max_score(self) -> float:
        activity = self.exercise or self.quiz
        assert activity is not None
        return activity.max_score


class GradePublication(models.Model):
    """One student's grade on one placed activity: what should be in the platform's
    gradebook and what was last sent there.

    `score_given`/`score_maximum`/`score_at` are the score to send (written when a
    score changes); `sent_*` is what the platform last accepted. Sending is idempotent:
    a row whose wanted score equals the sent one is not sent again, and every score
    carries `score_at` as its AGS timestamp, so a platform keeps the newest even if two
    sends cross. The wanted score stays on the row until it is accepted, so a platform
    that is down loses nothing: the row stays pending, then failed, until resent."""

    class State(models.TextChoices):
        NO_SCORE = "no_score", "no score yet"
        PENDING = "pending", "waiting to be sent"
        SENT = "sent", "sent"
        FAILED = "failed", "failed, waiting for a resend"

    link = models.ForeignKey(ActivityLink, on_delete=models.CASCADE, related_name="publications")
    account = models.ForeignKey(LtiAccount, on_delete=models.CASCADE, related_name="publications")
    state = models.CharField(max_length=10, choices=State.choices, default=State.NO_SCORE)
    score_given = models.FloatField(null=True, blank=True)
    score_maximum = models.FloatField(null=True, blank=True)
    score_at = models.DateTimeField(null=True, blank=True)
    sent_score = models.FloatField(null=True, blank=True)
    sent_maximum = models.FloatField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "account"], name="one_publication_per_student")
        ]
        indexes = [models.Index(fields=["state", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.account} on {self.link}: {self.state}"

    @property
    def is_up_to_date(self) -> bool:
        return (
            self.sent_at is not None
            and self.sent_score == self.score_given
            and self.sent_maximum == self.score_maximum
        )


class UsedNonce(models.Model):
    """A launch's nonce, kept so the same id_token cannot log anyone in twice.

    The unique constraint is the replay check: the insert of a replayed nonce fails
    inside the launch's transaction, which then creates nothing."""

    issuer = models.CharField(max_length=255)
    nonce = models.CharField(max_length=255)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "nonce"], name="nonce_used_once_per_issuer")
        ]

    def __str__(self) -> str:
        return self.nonce
