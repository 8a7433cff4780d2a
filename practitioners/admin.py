"""Staff side of listings: reference data, listings, their locations and hours.

Credentials, their decisions and the verification queue are in `verification.admin`.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .fields import BoundedModelMultipleChoiceField
from .models import (
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

NCCAOM_LOOKUP_URL = "https://www.nccaom.org/"
ACAHM_LOOKUP_URL = "https://acahm.org/"
QUEUE_PAGE_SIZE = 50
NOTE_MAX_LENGTH = 2000

# Set by the services only: never typed in through a form.
BOOKKEEPING_FIELDS = (
    "verification_state",
    "submitted_at",
    "verified_at",
    "verified_by",
    "verification_source",
    "rejection_reason",
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


# ---------------------------------------------------------------- reference data


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


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "state", "accreditation")
    list_filter = ("accreditation",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


# ---------------------------------------------------------------- listings


class PracticeLocationInline(admin.StackedInline):
    model = PracticeLocation
    extra = 0


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


@admin.register(Practitioner)
class PractitionerAdmin(ReadOnlyHistoryAdmin):
    list_display = ("name", "npi", "status", "owner", "review_count", "rating_avg", "is_demo", "updated_at")
    list_filter = ("status", "is_demo", "accepting_new_patients", "sliding_scale")
    list_select_related = ("owner",)
    search_fields = ("name", "slug", "npi")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = (
        "review_count",
        "rating_sum",
        "bedside_sum",
        "rating_avg",
        "rating_1",
        "rating_2",
        "rating_3",
        "rating_4",
        "rating_5",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("owner",)
    filter_horizontal = ("languages", "conditions", "techniques", "services", "insurance_carriers")
    formfield_overrides = {models.ManyToManyField: {"form_class": BoundedModelMultipleChoiceField}}
    inlines = [PracticeLocationInline, LicenseInline, CertificationInline, DegreeInline, SpecialTrainingInline]


@admin.register(PracticeLocation)
class PracticeLocationAdmin(ReadOnlyHistoryAdmin):
    list_display = ("practitioner", "name", "city", "state", "zip_code")
    list_filter = ("state",)
    list_select_related = ("practitioner", "state")
    search_fields = ("practitioner__name", "name", "city", "zip_code")
    raw_id_fields = ("practitioner",)


@admin.register(OpeningHours)
class OpeningHoursAdmin(ReadOnlyHistoryAdmin):
    list_display = ("location", "weekday", "opens", "closes")
    list_select_related = ("location__practitioner", "location__state")
    raw_id_fields = ("location",)
