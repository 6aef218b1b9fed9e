"""``evidence.expiring``: time, not a user's change, makes evidence expire, so a daily task announces it."""

from django.db import IntegrityError, transaction

from aims.events import emit
from integrations.models import ExpiryNotice


def announce_expiring(today=None) -> int:
    """Emit ``evidence.expiring`` for each evidence item in its expiry window not yet announced; returns how many."""
    from controls.models import Evidence

    count = 0
    for evidence in Evidence.objects.expiring(today).select_related("organisation").iterator():
        try:
            with transaction.atomic():
                ExpiryNotice.objects.create(
                    organisation=evidence.organisation, evidence=evidence, expiry_date=evidence.expiry_date
                )
                emit(
                    evidence.organisation,
                    "evidence.expiring",
                    {"evidence": evidence, "expiry_date": evidence.expiry_date},
                )
        except IntegrityError:
            continue  # announced before (or by a concurrent run)
        count += 1
    return count
