"""Form fields for listing data, shared by the dashboard's forms and the admin, and the one way a page shows a
service's ValidationError on its form (imports nothing of ours)."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections, models, router


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids outside the database's integer range.

    Django turns the chosen ids into an `id__in` query; an id past 2**63 makes SQLite's driver
    raise OverflowError (a 500) instead of matching nothing. (Single-choice fields are safe:
    Django's `exact` lookup already treats out-of-range integers as no match.) Every model
    form with a many-to-many field uses this class: `Meta.field_classes` in our forms,
    `formfield_overrides` in the admin.
    """

    def clean(self, value: Any) -> models.QuerySet:
        key = self.queryset.model._meta.get_field(self.to_field_name) if self.to_field_name else None
        key = key or self.queryset.model._meta.pk
        if isinstance(key, models.IntegerField | models.AutoField) and isinstance(value, list | tuple):
            self._refuse_out_of_range(key, value)
        return super().clean(value)

    def _refuse_out_of_range(self, key: models.Field, values: Iterable[Any]) -> None:
        connection = connections[router.db_for_read(self.queryset.model)]
        low, high = connection.ops.integer_field_range(key.get_internal_type())
        for raw in values:
            try:
                number = int(str(raw).strip())
            except ValueError:
                continue  # not a number at all: Django's own "not a valid value" message
            if (low is not None and number < low) or (high is not None and number > high):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": raw}
                )


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError beside the matching fields (or above the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
