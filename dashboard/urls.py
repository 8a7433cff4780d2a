"""/dashboard/: the signed-in practitioner's own listing. Object ids in these URLs are
always looked up inside that listing, so another listing's id is a 404."""

from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    # Getting a listing
    path("claim/", views.claim_search, name="claim_search"),
    path("claim/<slug:slug>/", views.claim_new, name="claim_new"),
    path("claims/<int:pk>/proof/", views.claim_proof, name="claim_proof"),
    path("claims/<int:pk>/withdraw/", views.claim_withdraw, name="claim_withdraw"),
    path("create/", views.listing_create, name="create"),
    # Keeping it
    path("listing/", views.listing_edit, name="listing_edit"),
    path("confirm/", views.confirm_facts, name="confirm"),
    path("locations/new/", views.location_add, name="location_add"),
    path("locations/<int:pk>/", views.location_edit, name="location_edit"),
    path("locations/<int:pk>/delete/", views.location_delete, name="location_delete"),
    path("credentials/<str:kind>/new/", views.credential_add, name="credential_add"),
    path("credentials/<str:kind>/<int:pk>/", views.credential_edit, name="credential_edit"),
    path("photo/", views.photo, name="photo"),
    path("photo/remove/", views.photo_remove, name="photo_remove"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/<int:pk>/reply/", views.review_reply, name="review_reply"),
    path("reviews/<int:pk>/reply/delete/", views.review_reply_delete, name="review_reply_delete"),
    # Staff
    path("history/<int:pk>/", views.history, name="history"),
]
