"""JSON shapes of a search result and a profile. Read-only; every value comes from the
search or profile selectors' prefetched data (no query per row)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from practitioners import trust
from practitioners.models import Practitioner
from search.selectors import nearest_location


class NamedItemSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class LanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class BadgesSerializer(serializers.Serializer):
    verified = serializers.BooleanField(help_text=trust.VERIFIED_EXPLANATION)
    nccaom_certified = serializers.BooleanField(help_text=trust.NCCAOM_EXPLANATION)
    meets_medicare_criteria = serializers.BooleanField(help_text=trust.MEDICARE_EXPLANATION)


class RatingSerializer(serializers.Serializer):
    average = serializers.FloatField(allow_null=True, help_text="1–5; null without reviews.")
    count = serializers.IntegerField(help_text="Published reviews.")


class RatingDetailSerializer(RatingSerializer):
    histogram = serializers.DictField(child=serializers.IntegerField(), help_text='Reviews per star, keys "1"–"5".')


class LocationSummarySerializer(serializers.Serializer):
    name = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField(source="state_id")
    zip_code = serializers.CharField()


def _badges(practitioner: Practitioner) -> dict:
    return {
        "verified": bool(practitioner.is_verified),
        "nccaom_certified": bool(practitioner.is_nccaom_certified),
        "meets_medicare_criteria": bool(practitioner.meets_medicare),
    }


def _rating(practitioner: Practitioner) -> dict:
    average = practitioner.rating_avg
    return {"average": float(average) if average is not None else None, "count": practitioner.review_count}


class PractitionerBaseSerializer(serializers.ModelSerializer):
    """What every practitioner representation carries: links, photo and trust badges."""

    profile_url = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()
    badges = serializers.SerializerMethodField()

    def get_profile_url(self, practitioner: Practitioner) -> str:
        return self.context["request"].build_absolute_uri(practitioner.get_absolute_url())

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, practitioner: Practitioner) -> str | None:
        if not practitioner.photo:
            return None
        return self.context["request"].build_absolute_uri(practitioner.photo.url)

    @extend_schema_field(BadgesSerializer)
    def get_badges(self, practitioner: Practitioner) -> dict:
        return _badges(practitioner)


class PractitionerListSerializer(PractitionerBaseSerializer):
    api_url = serializers.HyperlinkedIdentityField(view_name="api:practitioner-detail", lookup_field="slug")
    distance_miles = serializers.SerializerMethodField()
    nearest_location = serializers.SerializerMethodField()
    # From the search's page entries, named from the vocabulary (search.selectors.SearchResultList).
    conditions = NamedItemSerializer(many=True, read_only=True, source="card_conditions")
    rating = serializers.SerializerMethodField()

    class Meta:
        model = Practitioner
        fields = [
            "slug",
            "name",
            "display_credentials",
            "profile_url",
            "api_url",
            "photo_url",
            "badges",
            "distance_miles",
            "nearest_location",
            "conditions",
            "rating",
            "first_visit_fee",
            "sliding_scale",
            "accepting_new_patients",
            "practice_started_year",
        ]

    @extend_schema_field(
        serializers.FloatField(allow_null=True, help_text="Miles to the nearest location; only with `location`.")
    )
    def get_distance_miles(self, practitioner: Practitioner) -> float | None:
        distance = getattr(practitioner, "distance", None)
        return round(distance, 1) if distance is not None else None

    @extend_schema_field(LocationSummarySerializer(allow_null=True))
    def get_nearest_location(self, practitioner: Practitioner) -> dict | None:
        location = nearest_location(practitioner, self.context.get("place"))
        return LocationSummarySerializer(location).data if location else None

    @extend_schema_field(RatingSerializer)
    def get_rating(self, practitioner: Practitioner) -> dict:
        return _rating(practitioner)


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.CharField(source="get_weekday_display")
    opens = serializers.TimeField(format="%H:%M")
    closes = serializers.TimeField(format="%H:%M")


class LocationSerializer(LocationSummarySerializer):
    street = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    phone = serializers.CharField()
    evening_hours = serializers.BooleanField()
    weekend_hours = serializers.BooleanField()
    wheelchair_accessible = serializers.BooleanField()
    hours = OpeningHoursSerializer(many=True)


class VerificationSerializer(serializers.Serializer):
    state = serializers.CharField(source="verification_state", help_text="unverified, pending, verified, rejected, …")
    verified_at = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="Verified and still valid today.")

    def get_current(self, credential) -> bool:
        return credential.is_current() if hasattr(credential, "is_current") else credential.is_verified


class LicenseSerializer(serializers.Serializer):
    title = serializers.CharField()
    state = serializers.CharField(source="state_id")
    number = serializers.CharField()
    board_status = serializers.CharField()
    restricted = serializers.BooleanField()
    expiry_date = serializers.DateField(allow_null=True)
    board_lookup_url = serializers.CharField(source="state.lookup_url", help_text="Check the license with the board.")
    verification = VerificationSerializer(source="*")


class CertificationSerializer(serializers.Serializer):
    type = serializers.CharField(source="get_cert_type_display")
    number = serializers.CharField()
    status = serializers.CharField()
    expiry_date = serializers.DateField(allow_null=True)
    verification = VerificationSerializer(source="*")


class DegreeSerializer(serializers.Serializer):
    degree = serializers.CharField()
    school = serializers.CharField(source="school.name")
    school_accreditation = serializers.CharField(source="school.accreditation")
    graduation_year = serializers.IntegerField()
    verification = VerificationSerializer(source="*")


class TrainingSerializer(serializers.Serializer):
    title = serializers.CharField()
    provider = serializers.CharField()
    year = serializers.IntegerField()


class PractitionerDetailSerializer(PractitionerBaseSerializer):
    rating = serializers.SerializerMethodField()
    languages = LanguageSerializer(many=True, read_only=True)
    conditions = NamedItemSerializer(many=True, read_only=True)
    techniques = NamedItemSerializer(many=True, read_only=True)
    services = NamedItemSerializer(many=True, read_only=True)
    insurance_carriers = NamedItemSerializer(many=True, read_only=True)
    locations = LocationSerializer(many=True, read_only=True)
    licenses = LicenseSerializer(many=True, read_only=True)
    certifications = CertificationSerializer(many=True, read_only=True)
    degrees = DegreeSerializer(many=True, read_only=True)
    trainings = TrainingSerializer(many=True, read_only=True)

    class Meta:
        model = Practitioner
        fields = [
            "slug",
            "name",
            "display_credentials",
            "profile_url",
            "photo_url",
            "gender",
            "gender_self_description",
            "bio",
            "practice_started_year",
            "badges",
            "rating",
            "languages",
            "conditions",
            "techniques",
            "services",
            "insurance_carriers",
            "accepting_new_patients",
            "first_visit_fee",
            "follow_up_fee",
            "sliding_scale",
            "payment_plans",
            "medicare_enrolled",
            "first_session_text",
            "course_of_treatment_text",
            "phone",
            "website",
            "locations",
            "licenses",
            "certifications",
            "degrees",
            "trainings",
            "is_demo",
        ]

    @extend_schema_field(RatingDetailSerializer)
    def get_rating(self, practitioner: Practitioner) -> dict:
        return {**_rating(practitioner), "histogram": {str(stars): n for stars, n in practitioner.rating_histogram()}}
