from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from practitioners.models import School, StateBoard
from practitioners.reference import load_reference_data
from practitioners.search_rows import listings_under_rules, search_rows_changed


class Command(BaseCommand):
    help = "Create or update reference data (state boards, conditions, techniques, …) from fixtures/reference."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            regulations = dict(StateBoard.objects.values_list("state", "regulation"))
            accreditations = dict(School.objects.values_list("pk", "accreditation"))
            counts = load_reference_data(apps.get_model)
            # A state's new rule or a school's new accreditation changes the trust facts of the
            # listings with a credential there (as a staff edit in the admin does).
            states = [
                s
                for s, rule in StateBoard.objects.values_list("state", "regulation")
                if regulations.get(s, rule) != rule
            ]
            schools = [
                pk
                for pk, acc in School.objects.values_list("pk", "accreditation")
                if accreditations.get(pk, acc) != acc
            ]
            search_rows_changed(listings_under_rules(states=states, schools=schools))
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded: {summary}."))
