"""Staff browsing of listings and credentials.

The verification workflow (queue, actions, audit timeline) is built on top of
these registrations; every state change goes through practitioners.services.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

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
    VerificationRecord,
)


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
    list_display = ("state", "state_name", "board_name", "renewal_cycle_years", "lookup_url")
    search_fields = ("state", "state_name", "board_name")


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "state", "accreditation")
    list_filter = ("accreditation",)
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class PracticeLocationInline(admin.StackedInline):
    model = PracticeLocation
    extra = 0


class LicenseInline(admin.TabularInline):
    model = License
    extra = 0
    fields = ("state", "number", "title", "expiry_date", "board_status", "restricted", "verification_state")
    readonly_fields = ("verification_state",)


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0
    fields = ("cert_type", "number", "expiry_date", "status", "verification_state")
    readonly_fields = ("verification_state",)


class DegreeInline(admin.TabularInline):
    model = Degree
    extra = 0
    fields = ("school", "degree", "graduation_year", "verification_state")
    readonly_fields = ("verification_state",)


class SpecialTrainingInline(admin.TabularInline):
    model = SpecialTraining
    extra = 0


@admin.register(Practitioner)
class PractitionerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "display_credentials", "status", "review_count", "rating_avg", "is_demo", "updated_at")
    list_filter = ("status", "is_demo", "accepting_new_patients", "sliding_scale")
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
    inlines = [PracticeLocationInline, LicenseInline, CertificationInline, DegreeInline, SpecialTrainingInline]


@admin.register(PracticeLocation)
class PracticeLocationAdmin(SimpleHistoryAdmin):
    list_display = ("practitioner", "name", "city", "state", "zip_code")
    list_filter = ("state",)
    search_fields = ("practitioner__name", "name", "city", "zip_code")
    raw_id_fields = ("practitioner",)


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = ("location", "weekday", "opens", "closes")
    raw_id_fields = ("location",)


@admin.register(VerificationRecord)
class VerificationRecordAdmin(admin.ModelAdmin):
    """Append-only: nobody adds, changes or deletes records through the admin."""

    list_display = ("created_at", "credential_label", "old_state", "new_state", "actor_label", "source")
    list_filter = ("new_state", "credential_type")
    search_fields = ("credential_label", "practitioner__name", "note")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for model in (License, Certification, Degree):
    admin.site.register(model, list_display=("__str__", "practitioner", "verification_state", "expiry_date" if model is not Degree else "graduation_year"), raw_id_fields=("practitioner",), search_fields=("number" if model is not Degree else "school__name", "practitioner__name"), list_filter=("verification_state",))
