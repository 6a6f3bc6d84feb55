from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LTI 1.3 tool"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Grading announces score changes through grader.signals; the passback listens
        # here, so grading never imports this app.
        from . import receivers  # noqa: F401
