from django.urls import path

from . import console_views as views

app_name = "console"

urlpatterns = [
    path("", views.submission_list, name="submissions"),
    path("submissions/<int:pk>/", views.submission_detail, name="submission"),
    path("submissions/<int:pk>/override", views.submission_override, name="override"),
    path(
        "submissions/<int:pk>/override/remove",
        views.submission_override_remove,
        name="override_remove",
    ),
    path("quiz-attempts/", views.quiz_attempt_list, name="quiz_attempts"),
    path("quiz-attempts/<int:pk>/", views.quiz_attempt_detail, name="quiz_attempt"),
    path("quiz-attempts/<int:pk>/regrade", views.quiz_attempt_regrade_view, name="quiz_regrade"),
    path("regrade", views.regrade, name="regrade_start"),
    path("regrades/", views.regrade_list, name="regrades"),
    path("regrades/<int:pk>/", views.regrade_detail, name="regrade"),
    path("queue/", views.queue, name="queue"),
    path("queue/workers", views.queue_workers, name="queue_workers"),
    path("queue/requeue-stuck", views.queue_requeue_stuck, name="requeue_stuck"),
    path("audit/", views.audit_log, name="audit"),
]
