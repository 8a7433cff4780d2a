from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from practitioners.reference import load_reference_data


class Command(BaseCommand):
    help = "Create or update reference data (state boards, conditions, techniques, …) from fixtures/reference."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            counts = load_reference_data(apps.get_model)
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {summary}."))
