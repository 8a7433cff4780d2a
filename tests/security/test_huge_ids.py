"""Ids past the database's integer range in many-to-many fields: a form error, never a 500
(SQLite's driver raised OverflowError for them; issue 11, item 7)."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from practitioners.fields import BoundedModelMultipleChoiceField
from practitioners.models import Condition
from tests.factories import UserFactory, VerifiedUserFactory, condition, owned_listing

pytestmark = pytest.mark.django_db

HUGE = ["99999999999999999999", "-99999999999999999999", str(2**63)]
M2M_FIELDS = ["languages", "conditions", "techniques", "services", "insurance_carriers"]


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("field", M2M_FIELDS)
def test_dashboard_listing_form_refuses_huge_ids(field, value):
    owner = VerifiedUserFactory()
    listing = owned_listing(owner)
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    response = client.post(reverse("dashboard:listing_edit"), {"name": listing.name, field: [value]})
    assert response.status_code == 200
    assert "is not one of the available choices" in response.context["form"].errors[field][0]


@pytest.mark.parametrize("field", M2M_FIELDS)
def test_admin_listing_form_refuses_huge_ids(field):
    listing = owned_listing(None)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:practitioners_practitioner_change", args=[listing.pk])
    response = client.post(url, {"name": listing.name, field: [HUGE[0]]})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


@pytest.mark.parametrize("field", ["groups", "user_permissions"])
def test_admin_user_form_refuses_huge_ids(field):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    user = UserFactory()
    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), {"email": user.email, field: HUGE})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


def test_the_field_still_accepts_real_ids_and_names_bad_ones():
    neck = condition("neck-pain")
    field = BoundedModelMultipleChoiceField(queryset=Condition.objects.all())
    assert list(field.clean([str(neck.pk)])) == [neck]
    for bad in (["not-a-number"], [str(10**25)], ["0"]):
        with pytest.raises(Exception) as caught:
            field.clean(bad)
        assert caught.type.__name__ == "ValidationError", bad
    groups = BoundedModelMultipleChoiceField(queryset=Group.objects.all(), required=False)
    assert list(groups.clean([])) == []


def _changelist_urls():
    from django.contrib import admin

    return [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]


@pytest.mark.parametrize("query", ["id__in={}", "id__in=0,{}", "pk__in={}", "id__in=-{}"])
def test_every_admin_list_filtered_by_huge_ids_shows_nothing_not_a_500(query):
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for url in _changelist_urls():
        response = client.get(f"{url}?{query.format(HUGE[0])}")
        assert response.status_code in (200, 302), (url, response.status_code)
        cl = response.context and response.context.get("cl")
        if cl is not None:  # some lists are custom pages (the credential queue) without a changelist
            assert not list(cl.result_list), url


def test_a_bulk_action_posted_with_a_huge_id_changes_nothing_and_is_not_a_500():
    listing = owned_listing(None)
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:practitioners_practitioner_changelist")
    response = client.post(url, {"action": "delete_selected", "_selected_action": [HUGE[0], str(2**63)]})
    assert response.status_code in (200, 302)
    assert type(listing).objects.filter(pk=listing.pk).exists()


def test_integer_in_lookups_drop_out_of_range_values_and_keep_the_rest():
    neck = condition("neck-pain")
    assert list(Condition.objects.filter(pk__in=[int(HUGE[0]), neck.pk])) == [neck]
    assert list(Condition.objects.filter(pk__in=[int(HUGE[1])])) == []
    assert not Condition.objects.filter(pk__in=[2**63]).exists()
    assert Condition.objects.exclude(pk__in=[2**64]).filter(pk=neck.pk).exists()


def test_foreign_key_in_lookups_drop_out_of_range_values():
    from reviews.models import Review
    from tests.factories import ReviewFactory

    review = ReviewFactory()
    assert not Review.objects.filter(practitioner__in=[10**25]).exists()
    assert not Review.objects.filter(practitioner_id__in=[-(10**25)]).exists()
    assert list(Review.objects.filter(practitioner__in=[10**25, review.practitioner_id])) == [review]
