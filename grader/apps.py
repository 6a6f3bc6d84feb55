from django.apps import AppConfig


class GraderConfig(AppConfig):
    name = "grader"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The course loader (below this app) learns the answer kinds from grader/kinds/.
        from .kinds import register_with_course

        register_with_course()
