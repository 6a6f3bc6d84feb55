from django.urls import path

from . import views

app_name = "grader"

urlpatterns = [
    path("submissions/<int:pk>/result", views.submission_result, name="result"),
]
