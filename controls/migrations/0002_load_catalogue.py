"""Load the shipped framework catalogue and crosswalks on a fresh database.

The loader (controls.catalogue.load_catalogue) reads the data files in controls/data with this
migration's models; it is idempotent, so `python manage.py load_frameworks` upgrades the catalogue
later without a new migration. Reversing leaves the rows (0001's reversal drops the tables).
"""

from django.db import migrations

from controls.catalogue import load_catalogue_migration


class Migration(migrations.Migration):
    dependencies = [("controls", "0001_initial")]

    operations = [migrations.RunPython(load_catalogue_migration, migrations.RunPython.noop, elidable=True)]
