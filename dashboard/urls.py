from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.gradebook, name="gradebook"),
    path("gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path("submissions.csv", views.submissions_csv, name="submissions_csv"),
    path("submissions.json", views.submissions_json, name="submissions_json"),
    path("exercises/", views.exercise_list, name="exercises"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz"),
    path("students/<int:pk>/", views.student_detail, name="student"),
    path("students/<int:pk>/extension", views.student_extension, name="student_extension"),
    path(
        "students/<int:pk>/extension/remove",
        views.student_extension_remove,
        name="student_extension_remove",
    ),
]
