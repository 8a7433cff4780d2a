from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models

from practitioners.fields import BoundedModelMultipleChoiceField

from .models import User


@admin.register(User)
class MeridianUserAdmin(UserAdmin):
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Public profile", {"fields": ("display_name", "first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    formfield_overrides = {models.ManyToManyField: {"form_class": BoundedModelMultipleChoiceField}}
