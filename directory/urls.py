from django.contrib import admin
from django.urls import include, path

from practitioners import views as practitioner_views

urlpatterns = [
    path("", practitioner_views.home, name="home"),
    path("guide/", practitioner_views.guide, name="guide"),
    path("practitioners/", include("practitioners.urls")),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "practitioners.views.page_not_found"
handler500 = "practitioners.views.server_error"
