"""The organisation-scoped base every domain model builds on.

``OrganisationScopedModel`` gives a non-guessable UUID key, the organisation, timestamps and a queryset
whose ``visible_to(user, organisation)`` is the one entry point for reads: it asks the permission module
and returns nothing to a user who may not view the model there. ``ReferencedModel`` adds the human
reference id (``AIS-014``) unique per organisation.
"""

import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation


class OrganisationQuerySet(models.QuerySet):
    """Filters that keep every query inside one organisation."""

    def for_organisation(self, organisation):
        return self.filter(organisation=organisation)

    def visible_to(self, user, organisation):
        from aims.permissions import can, scope_queryset  # the permission module reads models; import lazily

        if organisation is None or not can(user, "view", self.model, organisation):
            return self.none()
        return scope_queryset(self.filter(organisation=organisation), user, organisation)


class OrganisationScopedModel(models.Model):
    """Abstract base: UUID primary key, organisation, created/updated stamps and the scoped queryset."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    # Permission hints read by aims.permissions.can():
    #   OWNER_FIELDS: fields naming the members accountable for a record (contributors edit what they own).
    #   AUDITOR_WRITABLE: audit records the auditor role may create and change.
    OWNER_FIELDS: tuple[str, ...] = ("owner",)
    AUDITOR_WRITABLE = False
    #   CONTRIBUTOR_MAY_ADD: False for organisation-wide records only officers create (the AIMS scope).
    CONTRIBUTOR_MAY_ADD = True

    class Meta:
        abstract = True

    def is_owned_by(self, user) -> bool:
        return any(getattr(self, f"{name}_id", None) == user.pk for name in self.OWNER_FIELDS)


class ReferenceCounter(models.Model):
    """The last number handed out per organisation and prefix, so reference ids never repeat."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=10)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "prefix"], name="aims_referencecounter_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_number}"


def next_reference(organisation, prefix: str, *, width: int = 3) -> str:
    """Hand out the next reference id for ``prefix`` in ``organisation`` (row-locked, gap-free enough)."""
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
            organisation=organisation, prefix=prefix
        )
        counter.last_number += 1
        counter.save(update_fields=["last_number"])
    return f"{prefix}-{counter.last_number:0{width}d}"


def bump_reference_counter(organisation, prefix: str, reference: str) -> None:
    """Keep the counter ahead of a reference given by hand or by an import (``AIS-120``)."""
    head, _, tail = reference.rpartition("-")
    if head != prefix or not tail.isdigit():
        return
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
            organisation=organisation, prefix=prefix
        )
        if int(tail) > counter.last_number:
            counter.last_number = int(tail)
            counter.save(update_fields=["last_number"])


class ReferencedModel(OrganisationScopedModel):
    """Adds ``reference``, a human id unique per organisation (``AIS-014``). Set ``REFERENCE_PREFIX``."""

    REFERENCE_PREFIX = "REF"

    reference = models.CharField(
        max_length=20, blank=True, help_text=_("Unique in the organisation; left empty, the next free number is given.")
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "reference"], name="%(app_label)s_%(class)s_unique_reference"
            )
        ]

    def assign_reference(self) -> None:
        if not self.reference:
            self.reference = next_reference(self.organisation, self.REFERENCE_PREFIX)
        else:
            bump_reference_counter(self.organisation, self.REFERENCE_PREFIX, self.reference)


class OwnedMixin(models.Model):
    """An accountable member (``owner``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """An ``Idempotency-Key`` an API client sent with a create or an import, and the answer it got.

    A retry with the same key and the same body gets the stored answer again (nothing is created twice); the
    same key with another body is refused. Keys are per organisation and user, and expire after
    ``IDEMPOTENCY_KEY_TTL`` seconds (expired rows are removed when the same caller writes again).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user", "key"], name="aims_idempotencykey_unique")
        ]

    def __str__(self) -> str:
        return self.key
