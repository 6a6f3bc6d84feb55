from django.urls import path

from . import quiz_views
from . import student_views as views

# The URL names keep their "exercises:" namespace (templates and links use them).
app_name = "exercises"

urlpatterns = [
    path("", views.exercise_list, name="list"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="detail"),
    path("exercises/<slug:slug>/hints", views.exercise_hints, name="hints"),
    path("quizzes/", quiz_views.quiz_list, name="quizzes"),
    path("quizzes/formula-preview", quiz_views.formula_preview, name="formula_preview"),
    path("quizzes/<slug:slug>/", quiz_views.quiz_detail, name="quiz"),
    path("quizzes/<slug:slug>/start", quiz_views.quiz_start, name="quiz_start"),
    path(
        "quizzes/<slug:slug>/attempts/<int:number>/", quiz_views.quiz_attempt, name="quiz_attempt"
    ),
    path(
        "quizzes/<slug:slug>/attempts/<int:number>/draft",
        quiz_views.quiz_attempt_draft,
        name="quiz_attempt_draft",
    ),
    path(
        "quizzes/<slug:slug>/attempts/<int:number>/state",
        quiz_views.quiz_attempt_state,
        name="quiz_attempt_state",
    ),
]
