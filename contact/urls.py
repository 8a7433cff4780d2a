"""Mounted at the site root (see directory/urls.py): the form under the profile, the patient's
requests under /accounts/, the practitioner's inbox under /dashboard/."""

from django.urls import path

from . import views

app_name = "contact"

urlpatterns = [
    path("practitioners/<slug:slug>/request/", views.request_new, name="new"),
    path("accounts/requests/", views.my_requests, name="my_requests"),
    path("accounts/requests/<int:pk>/", views.my_thread, name="my_thread"),
    path("accounts/requests/<int:pk>/close/", views.my_close, name="my_close"),
    path("accounts/requests/<int:pk>/delete/", views.my_delete, name="my_delete"),
    path("dashboard/requests/", views.inbox, name="inbox"),
    path("dashboard/requests/<int:pk>/", views.inbox_thread, name="inbox_thread"),
    path("dashboard/requests/<int:pk>/block/", views.inbox_block, name="inbox_block"),
    path("dashboard/requests/<int:pk>/report/", views.inbox_report, name="inbox_report"),
]
