"""The communication plan (ISO/IEC 42001 clause 7.4; Annex A.8.3, A.8.5): what is communicated about the
AIMS, to whom, when and how often, by whom and through which channel, and when it was last done."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OwnedMixin, ReferencedModel
from governance.constants import AudienceKind, Channel, Frequency
from governance.querysets import CommunicationQuerySet
from registry.models import InterestedParty


class Communication(OwnedMixin, ReferencedModel):
    """One line of the communication plan, ``COM-006``; ``owner`` is who communicates it."""

    REFERENCE_PREFIX = "COM"

    topic = models.CharField(_("what is communicated"), max_length=200)
    description = models.TextField(blank=True, help_text=_("The message and what it should achieve."))
    audience_kind = models.CharField(_("audience"), max_length=10, choices=AudienceKind.choices)
    audience = models.CharField(
        _("to whom"), max_length=300, help_text=_("E.g. all staff, hospital customers, regulator.")
    )
    interested_parties = models.ManyToManyField(
        InterestedParty, blank=True, related_name="communications", help_text=_("From the interested party register.")
    )
    frequency = models.CharField(_("how often"), max_length=20, choices=Frequency.choices)
    timing = models.CharField(_("when"), max_length=200, blank=True, help_text=_("E.g. first week of each quarter."))
    channel = models.CharField(max_length=20, choices=Channel.choices)
    last_done = models.DateField(null=True, blank=True)
    next_due = models.DateField(
        null=True, blank=True, help_text=_("Left empty, it follows from the last time and how often.")
    )
    history = HistoricalRecords()

    objects = CommunicationQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        ordering = ["reference"]
        indexes = [models.Index(fields=["organisation", "next_due"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.topic}"

    @property
    def name(self) -> str:
        return self.topic

    @property
    def overdue(self) -> bool:
        return bool(self.next_due and self.next_due < timezone.localdate())
