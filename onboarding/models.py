"""The guided setup's own records: where an organisation stands in it, its gap-analysis answers, and the
document templates it added to the shipped library.

Everything the setup *creates* (scope, AI systems, classifications, controls, SoA lines, evidence, roadmap
actions, policies) lives in the apps that own those registers and is written through their services; these
models only remember the answers and choices that lead there, so the setup can be resumed at any time.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.models import OrganisationScopedModel


class SetupProgress(OrganisationScopedModel):
    """One per organisation: the choices of the guided setup that are not records of another register."""

    pilot_system = models.ForeignKey(
        "registry.AISystem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The system the AIMS is tried on first, end to end."),
    )
    roadmap_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    roadmap_start = models.DateField(null=True, blank=True)
    roadmap_generated_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    class Meta:
        verbose_name = _("setup progress")
        verbose_name_plural = _("setup progress")
        constraints = [models.UniqueConstraint(fields=["organisation"], name="onboarding_setupprogress_one_per_org")]

    def __str__(self) -> str:
        return f"Guided setup of {self.organisation}"


class GapAnswer(OrganisationScopedModel):
    """The answer to one question of the first gap analysis ("is this in place? where is the evidence?")
    and the records it created, so answering again updates them instead of creating duplicates."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes, in place")
        PARTLY = "partly", _("Partly")
        NO = "no", _("Not yet")
        NOT_APPLICABLE = "na", _("Not applicable (Annex A only)")

    requirement = models.ForeignKey("controls.Requirement", on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=10, choices=Answer.choices)
    evidence_note = models.TextField(_("where is the evidence?"), blank=True)
    control = models.ForeignKey("controls.Control", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evidence = models.ForeignKey(
        "controls.Evidence", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    OWNER_FIELDS = ("answered_by",)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "requirement"], name="onboarding_gapanswer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id}: {self.get_answer_display()}"


class DocumentTemplate(OrganisationScopedModel):
    """A starter document an organisation added to the shipped library (Markdown with placeholders such as
    ``{{ organisation }}``), and the requirements it serves."""

    class Kind(models.TextChoices):
        AI_POLICY = "ai_policy", _("AI policy")
        TOPIC = "topic", _("Topic policy or procedure")

    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TOPIC)
    body = models.TextField(
        help_text=_("Markdown. Placeholders: {{ organisation }}, {{ owner }}, {{ scope }}, {{ date }}.")
    )
    requirements = models.ManyToManyField("controls.Requirement", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    OWNER_FIELDS = ("created_by",)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def key(self) -> str:
        """Its key in the template library (``own-<id>``), as the template page's address names it."""
        return f"own-{self.pk}"
