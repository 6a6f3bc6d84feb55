from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from .spec import configure_seed_key

        # Every process that grades or shows a variant (web, worker, commands) sets up
        # Django, so this is where exercises.spec learns its key.
        configure_seed_key(settings.GRADER_SEED_KEY.encode())
