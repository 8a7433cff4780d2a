"""Fill one demo listing's request inbox: `manage.py seed_demo_requests --owner you@example.com`."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from demo.contact import seed_demo_requests


class Command(BaseCommand):
    help = "Hand a demo listing to an existing account and add demo contact requests in every state."

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="Email of an existing account (sign up first).")

    def handle(self, *args, **options):
        owner = User.objects.filter(email__iexact=options["owner"]).first()
        if owner is None:
            raise CommandError(f"No account with the email {options['owner']!r}: sign up on the site first.")
        try:
            listing, created = seed_demo_requests(owner=owner)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{created} demo request(s) added to {listing.name}; see /dashboard/requests/ as {owner.email}."
        )
