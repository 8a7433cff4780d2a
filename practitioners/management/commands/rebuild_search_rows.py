"""Rebuild the search projection (`SearchRow`) of every published listing from the source tables.

    manage.py rebuild_search_rows           # every row from scratch, in one transaction
    manage.py rebuild_search_rows --repair  # only the rows that drifted (what the daily task does)

The services keep the rows in step with every write (practitioners.search_rows); this is for a
change made outside them (raw SQL, a shell, a restored dump). Prints how many rows it wrote.
"""

from django.core.management.base import BaseCommand, CommandParser

from practitioners.search_rows import rebuild_search_rows, repair_search_rows


class Command(BaseCommand):
    help = "Rebuild the search projection (one row per published listing) from the source tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--repair", action="store_true", help="Rebuild only the rows that differ from the source tables."
        )

    def handle(self, *args, **options) -> None:
        if options["repair"]:
            fixed = repair_search_rows()
            self.stdout.write(self.style.SUCCESS(f"Search rows repaired: {fixed} fixed."))
            return
        count = rebuild_search_rows()
        self.stdout.write(self.style.SUCCESS(f"Search rows rebuilt: {count} published listings."))
