from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Staff-facing pages: the instructor dashboard (/dashboard/) and the admin grading
    console (/console/). Reads go through dashboard.selectors, writes through the
    grader's services (overrides, regrade) and dashboard.services."""

    name = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"
