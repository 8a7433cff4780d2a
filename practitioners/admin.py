"""Staff side of listings: reference data, listings, their locations and hours.

Credentials, their decisions and the verification queue are in `verification.admin`.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .fields import BoundedModelMultipleChoiceField
from .models import (
    LISTING_M2M_FIELDS,
    REVIEW_SUMMARY_FIELDS,
    Certification,
    ComplementaryService,
    Condition,
    Degree,
    InsuranceCarrier,
    Language,
    License,
    OpeningHours,
    PracticeLocation,
    Practitioner,
    School,
    SpecialTraining,
    StateBoard,
    Technique,
)


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    """Change history for staff to read. Reverting to an old version would bypass the
    services (and the audit trail), so the history pages never save anything."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class SavedThroughServicesAdmin(ReadOnlyHistoryAdmin):
    """Saves and deletes go through a service (`service_save` / `service_delete`), never straight to the row."""

    def service_save(self, obj, actor) -> None:
        raise NotImplementedError

    def service_delete(self, obj, actor) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        self.service_save(obj, request.user)

    def delete_model(self, request, obj):
        self.service_delete(obj, request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(obj, request.user)


# ---------------------------------------------------------------- reference data


# Vocabulary items (conditions, techniques, services, carriers, languages) need no search row refresh
# when added, renamed or deleted: a row holds item ids, which never change and are never reused
# (AutoField; AUTOINCREMENT on SQLite), and a deleted item's id left in a row is never read: a
# filter takes ids from the current vocabulary only (`search.vocabulary.Vocabulary.ids`, an unknown
# slug is refused) and facets count the current vocabulary's items only (`search_facets` loops over
# `vocabulary.items`). The daily `repair_search_rows` drops such ids. The cached vocabulary and the
# free-text documents (which hold item names) follow within SEARCH_CACHE_SECONDS / on the next edit.
@admin.register(Condition, Technique, ComplementaryService, InsuranceCarrier)
class ReferenceItemAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "sort_order")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")


@admin.register(StateBoard)
class StateBoardAdmin(admin.ModelAdmin):
    list_display = ("state", "state_name", "regulation", "board_name", "renewal_cycle_years", "checked_on")
    list_filter = ("regulation", "exam")
    search_fields = ("state", "state_name", "board_name")

    def save_model(self, request, obj, form, change):
        # The state's rule is part of the trust facts of every listing with a license there.
        services.state_board_staff_save(board=obj, actor=request.user)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "state", "accreditation")
    list_filter = ("accreditation",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        # The accreditation is part of the Medicare fact of every listing with a degree from it.
        services.school_staff_save(school=obj, actor=request.user)


# ---------------------------------------------------------------- listings


class PracticeLocationAdminForm(forms.ModelForm):
    """The ZIP must be one we know, in the location's state: its centroid gives the coordinates."""

    def clean(self):
        data = super().clean()
        zip_code, state = data.get("zip_code"), data.get("state")
        if zip_code and state is not None and "zip_code" not in self.errors:
            try:
                services.zip_coordinates(zip_code=zip_code, state=state.pk)
            except ValidationError as exc:
                self.add_error("zip_code", exc.error_dict["zip_code"])
        return data


class PracticeLocationInline(admin.StackedInline):
    model = PracticeLocation
    form = PracticeLocationAdminForm
    extra = 0
    readonly_fields = ("latitude", "longitude")


class CredentialInline(admin.TabularInline):
    """Credentials on the listing page, read-only: each is changed and decided on its own page
    (the change link), where edits go through the services and their audit trail."""

    extra = 0
    show_change_link = True
    fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LicenseInline(CredentialInline):
    model = License
    fields = (
        "state",
        "number",
        "title",
        "expiry_date",
        "board_status",
        "restricted",
        "verification_state",
        "verified_at",
    )


class CertificationInline(CredentialInline):
    model = Certification
    fields = ("cert_type", "number", "expiry_date", "status", "verification_state", "verified_at")


class DegreeInline(CredentialInline):
    model = Degree
    fields = ("school", "degree", "graduation_year", "verification_state", "verified_at")


class SpecialTrainingInline(admin.TabularInline):
    model = SpecialTraining
    extra = 0


class PractitionerAdminForm(forms.ModelForm):
    """Publishing needs the one trust definition (`services.publication_refusal`); said here, beside the field."""

    def clean_status(self):
        status = self.cleaned_data["status"]
        refusal = services.publication_refusal(practitioner=self.instance, status=status)
        if refusal:
            raise ValidationError(refusal)
        return status


def _changes(obj, form, *, every: bool = False) -> dict:
    """The admin form's edit as a `changes` dict for the services: single-valued fields as the form
    set them on `obj` (files and relations included), many-to-many fields from the cleaned data."""
    names = [name for name in (form.cleaned_data if every else form.changed_data) if name in form.cleaned_data]
    m2m = {field.name for field in obj._meta.many_to_many}
    return {name: form.cleaned_data[name] if name in m2m else getattr(obj, name) for name in names}


@admin.register(Practitioner)
class PractitionerAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "npi", "status", "owner", "review_count", "rating_avg", "is_demo", "updated_at")
    list_filter = ("status", "is_demo", "accepting_new_patients", "sliding_scale")
    list_select_related = ("owner",)
    search_fields = ("name", "slug", "npi")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = (
        *REVIEW_SUMMARY_FIELDS,
        "last_confirmed_at",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("owner",)
    filter_horizontal = LISTING_M2M_FIELDS
    formfield_overrides = {models.ManyToManyField: {"form_class": BoundedModelMultipleChoiceField}}
    inlines = [PracticeLocationInline, LicenseInline, CertificationInline, DegreeInline, SpecialTrainingInline]
    form = PractitionerAdminForm

    # Every write goes through practitioners.services: search document, search cache, freshness
    # dates and the publication rule apply to staff edits as to the practitioner's own.

    def save_model(self, request, obj, form, change):
        if change:
            services.listing_staff_update(practitioner=obj, actor=request.user, changes=_changes(obj, form))
        else:
            services.listing_staff_create(practitioner=obj, actor=request.user, changes=_changes(obj, form, every=True))

    def save_related(self, request, form, formsets, change):
        # The many-to-many fields were saved by the service in save_model.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not PracticeLocation:
            return super().save_formset(request, form, formset, change)
        locations = formset.save(commit=False)
        for location in formset.deleted_objects:
            services.location_staff_delete(location=location, actor=request.user)
        for location in locations:
            services.location_staff_save(location=location, actor=request.user)

    def delete_model(self, request, obj):
        services.listing_staff_delete(practitioner=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for practitioner in queryset:
            services.listing_staff_delete(practitioner=practitioner, actor=request.user)


@admin.register(PracticeLocation)
class PracticeLocationAdmin(SavedThroughServicesAdmin):
    list_display = ("practitioner", "name", "city", "state", "zip_code")
    list_filter = ("state",)
    list_select_related = ("practitioner", "state")
    search_fields = ("practitioner__name", "name", "city", "zip_code")
    raw_id_fields = ("practitioner",)
    form = PracticeLocationAdminForm
    readonly_fields = ("latitude", "longitude")

    def service_save(self, obj, actor):
        services.location_staff_save(location=obj, actor=actor)

    def service_delete(self, obj, actor):
        services.location_staff_delete(location=obj, actor=actor)


@admin.register(OpeningHours)
class OpeningHoursAdmin(SavedThroughServicesAdmin):
    list_display = ("location", "weekday", "opens", "closes")
    list_select_related = ("location__practitioner", "location__state")
    raw_id_fields = ("location",)

    def service_save(self, obj, actor):
        services.opening_hours_staff_save(slot=obj, actor=actor)

    def service_delete(self, obj, actor):
        services.opening_hours_staff_delete(slot=obj, actor=actor)
