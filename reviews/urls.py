"""Mounted at /practitioners/<slug>/reviews/ (see directory/urls.py), so every view receives `slug`."""

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("new/", views.review_create, name="create"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/delete/", views.review_delete, name="delete"),
    path("<int:pk>/helpful/", views.review_helpful, name="helpful"),
    path("<int:pk>/report/", views.review_report, name="report"),
    path("<int:pk>/reply/", views.review_reply, name="reply"),
    path("<int:pk>/reply/delete/", views.review_reply_delete, name="reply_delete"),
]
