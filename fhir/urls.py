from django.urls import path

from . import views

app_name = "fhir"

# <str:> so that any type or id reaches the views and gets a FHIR 404 (OperationOutcome), not an HTML page.
urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("<str:resource_type>", views.search, name="search"),
    path("<str:resource_type>/<str:resource_id>", views.read, name="read"),
]
