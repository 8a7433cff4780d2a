from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from accounts import views as account_views
from directory.views import healthz, serve_upload
from landing import urls as landing_urls
from landing.sitemaps import SITEMAPS as LANDING_SITEMAPS
from practitioners import urls as practitioner_urls
from practitioners import views as practitioner_views
from practitioners.sitemaps import SITEMAPS as PRACTITIONER_SITEMAPS
from reviews import views as review_views
from search import views as search_views

# /practitioners/: the search page (search app) and the profiles (practitioners app), one namespace.
practitioner_patterns = [path("", search_views.practitioner_list, name="list"), *practitioner_urls.urlpatterns]

# Staff sign in through allauth's throttled sign-in like everyone else: the admin's own login
# view only redirects there (with `next`), so it never checks a password (docs/security.md).
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Meridian staff"
admin.site.site_title = "Meridian staff"
admin.site.index_title = "Verification, moderation and listings"

SITEMAPS = {**PRACTITIONER_SITEMAPS, **LANDING_SITEMAPS}

urlpatterns = [
    path("", include(landing_urls)),
    path("guide/", practitioner_views.guide, name="guide"),
    path("robots.txt", practitioner_views.robots_txt, name="robots_txt"),
    path("healthz", healthz, name="healthz"),
    path("sitemap.xml", sitemap_views.index, {"sitemaps": SITEMAPS}, name="sitemap_index"),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("places/suggest/", search_views.place_suggestions, name="places-suggest"),
    path("api/", include("api.urls")),
    path("fhir/", include("fhir.urls")),
    path("", include("contact.urls")),
    path("practitioners/<slug:slug>/reviews/", include("reviews.urls")),
    path("practitioners/", include((practitioner_patterns, practitioner_urls.app_name))),
    path("accounts/reviews/", review_views.my_reviews, name="my_reviews"),
    path("accounts/name/", account_views.display_name_edit, name="account_display_name"),
    path("accounts/", include("allauth.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("admin/", admin.site.urls),
    path("media/<path:path>", serve_upload, name="upload"),
]

handler404 = "practitioners.views.page_not_found"
handler500 = "practitioners.views.server_error"
