"""The public AI trust centre (ISO/IEC 42001 Annex A.8: information for interested parties) and the reports
of concerns it receives (Annex A.3.3).

Nothing here is public by default: every field of the trust page and every AI system shown on it carries its
own publication flag, and ``trust.selectors.public_view`` reads only what is flagged. Publication flags live
here (a OneToOne to the AI system), so the registry's models stay as they are.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel, ReferencedModel


def certificate_upload_to(instance, filename: str) -> str:
    """``trust/<organisation id>/<random>.pdf``: never the uploader's file name."""
    return f"trust/{instance.organisation_id}/{secrets.token_hex(16)}.pdf"


class TrustPage(OrganisationScopedModel):
    """The organisation's public trust page, one per organisation, at ``/trust/<slug>/`` once published."""

    slug = models.SlugField(max_length=80, unique=True, help_text=_("The public address: /trust/<slug>/."))
    published = models.BooleanField(default=False, help_text=_("Off: the public address answers 404."))
    display_name = models.CharField(max_length=200, help_text=_("The name visitors see."))
    introduction = models.TextField(blank=True)
    publish_introduction = models.BooleanField(default=False)
    policy_summary = models.TextField(_("AI policy summary"), blank=True)
    publish_policy_summary = models.BooleanField(default=False)
    contact_email = models.EmailField(blank=True)
    contact_text = models.TextField(_("other contact details"), blank=True)
    publish_contact = models.BooleanField(default=False)
    certification_standard = models.CharField(max_length=100, blank=True, default="ISO/IEC 42001:2023")
    certification_body = models.CharField(max_length=200, blank=True)
    certificate_number = models.CharField(max_length=100, blank=True)
    certificate_valid_from = models.DateField(null=True, blank=True)
    certificate_valid_until = models.DateField(null=True, blank=True)
    certificate_file = models.FileField(upload_to=certificate_upload_to, max_length=300, blank=True)
    certificate_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    publish_certification = models.BooleanField(default=False)
    publish_certificate_file = models.BooleanField(default=False)
    accept_concerns = models.BooleanField(
        default=True, help_text=_("Show the form through which anyone can report a concern (Annex A.3.3).")
    )
    history = HistoricalRecords()

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation"], name="trust_trustpage_one_per_org")]

    def __str__(self) -> str:
        return f"Trust page of {self.display_name}"


class PublishedSystem(OrganisationScopedModel):
    """What the trust page shows of one AI system (Annex A.8.2 information for users), field by field."""

    ai_system = models.OneToOneField("registry.AISystem", on_delete=models.CASCADE, related_name="trust_listing")
    published = models.BooleanField(default=False, help_text=_("Off: the system is not on the page at all."))
    publish_purpose = models.BooleanField(_("publish the intended purpose"), default=False)
    publish_intended_users = models.BooleanField(default=False)
    publish_human_oversight = models.BooleanField(default=False)
    publish_eu_tier = models.BooleanField(_("publish the EU AI Act tier"), default=False)
    user_information = models.TextField(
        _("information for users"),
        blank=True,
        help_text=_(
            "What people using or affected by the system need to know: what it does, its limits, how to "
            "get a human decision, how to object."
        ),
    )
    publish_user_information = models.BooleanField(default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    class Meta:
        ordering = ["sort_order", "ai_system__name"]

    def __str__(self) -> str:
        return f"{self.ai_system} on the trust page"


class Concern(ReferencedModel):
    """A concern about an AI system reported by anyone, staff or public, possibly anonymously (A.3.3).

    The reporter never sees this record; they get the reference and, with contact details, a secret link to a
    status page that shows the status and the message officers chose to send. Only the SHA-256 of that link's
    token is stored.
    """

    REFERENCE_PREFIX = "CON"

    class Status(models.TextChoices):
        NEW = "new", _("New")
        TRIAGED = "triaged", _("Triaged")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        PUBLIC = "public", _("Public trust page")
        PRODUCT = "product", _("Inside the product")

    class TriagedInto(models.TextChoices):
        INCIDENT = "incident", _("Incident")
        NONCONFORMITY = "nonconformity", _("Nonconformity")
        RISK = "risk", _("Risk")
        NONE = "none", _("No further action")

    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PUBLIC)
    ai_system = models.ForeignKey(
        "registry.AISystem", null=True, blank=True, on_delete=models.SET_NULL, related_name="concerns"
    )
    system_description = models.CharField(_("which system (in the reporter's words)"), max_length=200, blank=True)
    what_happened = models.TextField()
    occurred = models.CharField(_("when"), max_length=100, blank=True)
    anonymous = models.BooleanField(default=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    triaged_into = models.CharField(max_length=20, choices=TriagedInto.choices, blank=True)
    triage_note = models.TextField(blank=True)
    incident = models.ForeignKey("audits.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    nonconformity = models.ForeignKey(
        "audits.Nonconformity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    risk = models.ForeignKey("risk.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reporter_message = models.TextField(
        _("message to the reporter"),
        blank=True,
        help_text=_("Shown on the reporter's status page. Never internal detail."),
    )
    submission_token = models.CharField(max_length=64, unique=True, editable=False)
    status_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    history = HistoricalRecords(excluded_fields=["status_token_hash", "submission_token"])

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    class Meta(ReferencedModel.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.reference} concern"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
