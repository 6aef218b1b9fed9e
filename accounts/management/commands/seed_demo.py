"""Load the demo organisations. Idempotent: a second run changes nothing.

Apps add their demo data through ``aims.demo.register_seeder``; this command runs the seeders in order
after the organisations and users exist.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from aims.demo import run_seeders, seed_organisations


class Command(BaseCommand):
    help = "Create the demo organisations Northwind Health and Contoso Lending with one user per role."

    def handle(self, *args, **options):
        with transaction.atomic():
            context = seed_organisations()
            run_seeders(context, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is in place (password for every demo user: aims-demo)."))
