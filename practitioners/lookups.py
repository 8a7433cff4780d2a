"""Query lookups registered for every model (imports nothing of ours); registered in `PractitionersConfig.ready`."""

from typing import Any

from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class DropOutOfRangeIntegers:
    """`__in` on an integer column (or a foreign key to one) matches nothing for integers outside
    the column's range.

    Django's `exact`, `gt`, `lt` … already do (`IntegerFieldOverflow`), but `__in` passes the value
    on, and SQLite's driver raises OverflowError past 2**63 — a 500 for `?id__in=…` on an admin list
    or a forged id in a bulk action. PostgreSQL compares such values as numeric and matches nothing,
    so dropping them changes no result there.
    """

    def process_rhs(self, compiler: Any, connection: Any) -> Any:
        field = self.lhs.output_field
        if isinstance(field, ForeignObject):  # compare against the column it points to, if it is one
            targets = field.foreign_related_fields
            field = targets[0] if len(targets) == 1 else None
        if self.rhs_is_direct_value() and isinstance(field, IntegerField):
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int) or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


class IntegerIn(DropOutOfRangeIntegers, In):
    pass


class IntegerRelatedIn(DropOutOfRangeIntegers, RelatedIn):
    pass


def register() -> None:
    IntegerField.register_lookup(IntegerIn)
    ForeignObject.register_lookup(IntegerRelatedIn)
