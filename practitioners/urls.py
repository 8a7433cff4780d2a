from django.urls import path

from . import views

app_name = "practitioners"

urlpatterns = [
    path("<slug:slug>/", views.practitioner_detail, name="detail"),
]
