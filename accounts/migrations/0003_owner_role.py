"""The ``owner`` role (administrator and AIMS officer in one, given to whoever creates an organisation).

An organisation whose only member is an administrator was created by that person before owners existed: they
become its owner, so that they can run their own setup. Larger organisations keep their roles as they are.
"""

from django.db import migrations, models
from django.db.models import Count

ROLE_CHOICES = [
    ("owner", "Owner"),
    ("admin", "Administrator"),
    ("officer", "AIMS officer"),
    ("contributor", "Contributor"),
    ("auditor", "Auditor"),
    ("viewer", "Viewer"),
]


def sole_administrators_become_owners(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    alone = (
        Membership.objects.values("organisation_id")
        .annotate(members=Count("pk"))
        .filter(members=1)
        .values_list("organisation_id", flat=True)
    )
    Membership.objects.filter(organisation_id__in=list(alone), role="admin").update(role="owner")


def owners_become_administrators(apps, schema_editor):
    Membership = apps.get_model("accounts", "Membership")
    Membership.objects.filter(role="owner").update(role="admin")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security_access_log_invitations_sso"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalmembership",
            name="role",
            field=models.CharField(choices=ROLE_CHOICES, default="viewer", max_length=20),
        ),
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(choices=ROLE_CHOICES, default="viewer", max_length=20),
        ),
        migrations.RunPython(sole_administrators_become_owners, owners_become_administrators),
    ]
