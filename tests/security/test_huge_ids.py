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
