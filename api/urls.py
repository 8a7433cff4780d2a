from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("v1/practitioners/", views.PractitionerListView.as_view(), name="practitioner-list"),
    # <str:> rather than <slug:>: a malformed slug reaches the API view and gets a JSON 404, not an HTML page.
    path("v1/practitioners/<str:slug>/", views.PractitionerDetailView.as_view(), name="practitioner-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]
