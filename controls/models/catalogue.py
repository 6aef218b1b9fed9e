"""The framework catalogue: frameworks, their requirements and the crosswalk mappings between them.

ISO/IEC 42001 asks for a Statement of Applicability against Annex A (6.1.3) and invites integration with
other management systems; the catalogue is the shared vocabulary for both. Shipped reference rows
(``organisation`` empty) come from the data files in ``controls/data`` and are read-only to users; an
organisation may add its own frameworks, requirements and mappings, which only it sees.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Organisation
from controls.constants import OWN_MAPPING_LABEL, FrameworkKind, Relationship, RequirementKind
from controls.querysets import FrameworkQuerySet, MappingQuerySet, RequirementQuerySet


class CatalogueModel(models.Model):
    """Abstract base: UUID key, an *optional* organisation (empty = shipped reference row), stamps.

    Unlike ``aims.models.OrganisationScopedModel`` the organisation may be empty, so the queryset's
    ``visible_to(user, organisation)`` returns the shipped rows plus the organisation's own.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Contributors may change and delete the catalogue rows they created (aims.permissions.can).
    OWNER_FIELDS: tuple[str, ...] = ("created_by",)
    AUDITOR_WRITABLE = False

    class Meta:
        abstract = True

    @property
    def is_shipped(self) -> bool:
        """A reference row shipped with AIMS (read-only), rather than an organisation's own."""
        return self.organisation_id is None

    def is_owned_by(self, user) -> bool:
        return any(getattr(self, f"{name}_id", None) == user.pk for name in self.OWNER_FIELDS)


class Framework(CatalogueModel):
    """A standard, regulation or framework (ISO/IEC 42001, NIST AI RMF, EU AI Act ...) or an
    organisation's own catalogue (an internal policy, a customer's questionnaire)."""

    key = models.SlugField(
        max_length=50, help_text=_("Short stable key used in the API and in imports, e.g. iso42001 or acme-policy.")
    )
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50, blank=True, help_text=_("Edition or version, e.g. 2023 or 1.0."))
    publisher = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=FrameworkKind.choices, default=FrameworkKind.CUSTOM)
    description = models.TextField(blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    notice = models.CharField(
        max_length=300, blank=True, help_text=_("Licence or copyright notice shown with the requirements.")
    )
    data_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text=_("Version of the shipped data file last loaded.")
    )
    history = HistoricalRecords()

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(organisation__isnull=True), name="controls_framework_unique_shipped_key"
            ),
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=Q(organisation__isnull=False),
                name="controls_framework_unique_own_key",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "name"]), models.Index(fields=["kind"])]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip() if self.version else self.name


class Requirement(CatalogueModel):
    """One entry of a framework: a clause, an Annex A control, a NIST subcategory, an article ...

    For ISO standards only the identifier, a short title and guidance in our own words are stored;
    ``statement`` carries published text only where its licence allows (NIST, public domain).
    ``sort_order`` is the position in the framework's tree read top to bottom, ``depth`` its level.
    """

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="requirements")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.RESTRICT, related_name="children")
    identifier = models.CharField(max_length=100, help_text=_('As published, e.g. "A.6.2.4", "GOVERN 1.1", "Art. 9".'))
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=30, choices=RequirementKind.choices, default=RequirementKind.REQUIREMENT)
    statement = models.TextField(
        blank=True, help_text=_("Published text, only where its licence allows it (never ISO text).")
    )
    guidance = models.TextField(blank=True, help_text=_("What it asks for and what evidence shows it, in our words."))
    assessable = models.BooleanField(
        default=True, help_text=_("Assessed on its own (a control or sub-clause), rather than a heading.")
    )
    withdrawn = models.BooleanField(
        default=False, help_text=_("No longer in the current version of the framework, but kept because it is used.")
    )
    sort_order = models.PositiveIntegerField(default=0, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    attributes = models.JSONField(default=dict, blank=True, help_text=_("Extra facts: role, theme, dates, key points."))
    history = HistoricalRecords()

    objects = RequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["framework", "sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "identifier"], name="controls_requirement_unique_identifier"),
        ]
        indexes = [
            models.Index(fields=["framework", "sort_order"]),
            models.Index(fields=["framework", "kind"]),
            models.Index(fields=["organisation", "framework"]),
            models.Index(fields=["identifier"]),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} {self.title}"

    def clean(self):
        if self.framework_id and self.organisation_id != self.framework.organisation_id:
            raise ValidationError(gettext("A requirement belongs to the same organisation as its framework."))
        if self.parent_id and self.parent.framework_id != self.framework_id:
            raise ValidationError({"parent": gettext("The parent must be in the same framework.")})


class RequirementMapping(CatalogueModel):
    """A link from one requirement to another (a crosswalk pair), with its relationship and source.

    Published pairs (``organisation`` empty) cite the crosswalk they come from; an organisation's own
    pairs are labelled as theirs. Neither is proof that meeting one requirement meets the other.
    """

    source = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_from")
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="mappings_to")
    relationship = models.CharField(max_length=20, choices=Relationship.choices, default=Relationship.RELATED)
    source_key = models.CharField(
        max_length=60, blank=True, editable=False, help_text=_("Key of the shipped crosswalk file the pair comes from.")
    )
    source_label = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source link"), max_length=500, blank=True)
    source_relation = models.CharField(
        max_length=60, blank=True, editable=False, help_text=_("The source's own term for the match, if it has one.")
    )
    note = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = MappingQuerySet.as_manager()

    class Meta:
        verbose_name = _("requirement mapping")
        verbose_name_plural = _("requirement mappings")
        ordering = ["source__framework__name", "source__sort_order", "target__framework__name", "target__sort_order"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="controls_mapping_not_to_itself"),
            models.UniqueConstraint(
                fields=["source", "target"],
                condition=Q(organisation__isnull=True),
                name="controls_mapping_unique_published_pair",
            ),
            models.UniqueConstraint(
                fields=["organisation", "source", "target"],
                condition=Q(organisation__isnull=False),
                name="controls_mapping_unique_own_pair",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "source_key"])]

    def __str__(self) -> str:
        return f"{self.source.identifier} → {self.target.identifier}"

    @property
    def origin_label(self) -> str:
        return (self.source_label or gettext("Published crosswalk")) if self.is_shipped else str(OWN_MAPPING_LABEL)
