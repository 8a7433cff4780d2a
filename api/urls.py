from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views

app_name = "api"

urlpatterns = [
    path("v1/practitioners/", views.PractitionerListView.as_view(), name="practitioner-list"),
    path("v1/practitioners/<slug:slug>/", views.PractitionerDetailView.as_view(), name="practitioner-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]
