"""Management review (ISO/IEC 42001 clause 9.3): the meeting, its inputs compiled from live data and then
frozen, its decisions, and the tracked actions each decision creates."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.actions import ActionStateMixin
from aims.models import OrganisationScopedModel, OwnedMixin, ReferencedModel
from audits.constants import ActionStatus, DecisionKind, ReviewStatus
from audits.querysets import ActionQuerySet

USER = settings.AUTH_USER_MODEL


class ManagementReview(ReferencedModel):
    """A management review, ``MR-003``, chaired by a member of top management.

    ``inputs`` is the pack: compiled from live data when it is prepared (``audits.review_inputs``) and kept as
    it was, so later changes to the registers never alter what the review looked at.
    """

    REFERENCE_PREFIX = "MR"
    CONTRIBUTOR_MAY_ADD = False
    OWNER_FIELDS = ("chair",)

    title = models.CharField(max_length=200)
    planned_date = models.DateField("meeting date")
    location = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    attendees = models.ManyToManyField(USER, blank=True, related_name="+", verbose_name=_("attendees (members)"))
    other_attendees = models.CharField(max_length=300, blank=True, help_text=_("Attendees who are not members."))
    top_management_present = models.BooleanField(
        _("top management present"), default=False, help_text=_("Clause 9.3 asks top management to review the AIMS.")
    )
    status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED, editable=False)
    inputs = models.JSONField(default=dict, blank=True, editable=False)
    inputs_since = models.DateField(_("changes compiled since"), null=True, blank=True, editable=False)
    inputs_compiled_at = models.DateTimeField(null=True, blank=True, editable=False)
    inputs_compiled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    held_on = models.DateField(null=True, blank=True, editable=False)
    minutes = models.TextField(_("discussion"), blank=True, help_text=_("What was discussed, input by input."))
    conclusions = models.TextField(
        blank=True, help_text=_("The review's conclusion on the AIMS's suitability, adequacy and effectiveness.")
    )
    history = HistoricalRecords(excluded_fields=["inputs"])

    class Meta(ReferencedModel.Meta):
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-planned_date", "-reference"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def name(self) -> str:
        return self.title

    @property
    def is_held(self) -> bool:
        return self.status == ReviewStatus.HELD

    @property
    def has_pack(self) -> bool:
        return self.inputs_compiled_at is not None


class ReviewDecision(OrganisationScopedModel):
    """A decision of a management review (clause 9.3.3): an improvement, a change to the AIMS, resources."""

    OWNER_FIELDS = ()
    CONTRIBUTOR_MAY_ADD = False

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(max_length=20, choices=DecisionKind.choices, default=DecisionKind.IMPROVEMENT)
    decision = models.TextField()
    recorded_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.decision[:80]}"


class ReviewAction(ActionStateMixin, OwnedMixin, ReferencedModel):
    """The tracked action a review decision creates, ``MRA-005``: owner, due date, status. The next review's
    pack reports on it."""

    REFERENCE_PREFIX = "MRA"

    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="actions")
    decision = models.ForeignKey(ReviewDecision, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    completion_note = models.TextField(_("what was done"), blank=True)
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("review action")
        verbose_name_plural = _("review actions")
        ordering = ["due_date", "reference"]
        indexes = [models.Index(fields=["organisation", "status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"
