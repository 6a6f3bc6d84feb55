from django.urls import path

from . import views

app_name = "notes"

urlpatterns = [
    path("", views.notes_index, name="index"),
    path("<int:number>/", views.notes_page, name="page"),
]
