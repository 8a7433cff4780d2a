from django.urls import path

from . import views

# Segments are `str` (not `slug`) so that other spellings reach the view and get their 301.
urlpatterns = [
    path("", views.home, name="home"),
    path("conditions/<str:slug>/", views.condition_detail, name="condition"),
    path("acupuncturists/<str:state>/<str:city>/", views.city_detail, name="city"),
]
