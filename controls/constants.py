"""Choices of the framework catalogue and its crosswalks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FrameworkKind(models.TextChoices):
    STANDARD = "standard", _("Standard")
    REGULATION = "regulation", _("Regulation")
    FRAMEWORK = "framework", _("Framework")
    CUSTOM = "custom", _("Custom")


class RequirementKind(models.TextChoices):
    """What a catalogue entry is; the loader and CSV import accept exactly these keys."""

    CLAUSE = "clause", _("Clause")
    ANNEX = "annex", _("Annex")
    SECTION = "section", _("Section")
    OBJECTIVE = "objective", _("Control objective")
    ANNEX_A_CONTROL = "annex_a_control", _("Annex A control")
    ANNEX_C_OBJECTIVE = "annex_c_objective", _("Annex C objective")
    ANNEX_C_RISK_SOURCE = "annex_c_risk_source", _("Annex C risk source")
    THEME = "theme", _("Theme")
    FUNCTION = "function", _("Function")
    CATEGORY = "category", _("Category")
    SUBCATEGORY = "subcategory", _("Subcategory")
    RISK_TIER = "risk_tier", _("Risk tier")
    CHAPTER = "chapter", _("Chapter")
    ARTICLE = "article", _("Article")
    PARAGRAPH = "paragraph", _("Paragraph")
    POINT = "point", _("Point")
    GROUP = "group", _("Group")
    REQUIREMENT = "requirement", _("Requirement")
    QUESTION = "question", _("Question")


class Relationship(models.TextChoices):
    """How a source requirement relates to a target (set-theory terms, as in NIST OLIR).

    Published crosswalks without a stated strength are all "related": never read a mapping as proof
    that meeting one requirement meets the other.
    """

    EQUAL = "equal", _("Equal")
    SUBSET = "subset", _("Subset of")
    SUPERSET = "superset", _("Superset of")
    INTERSECTS = "intersects", _("Intersects with")
    RELATED = "related", _("Related to")


class Origin(models.TextChoices):
    """Who a catalogue row comes from: shipped with AIMS, or the organisation's own."""

    SHIPPED = "shipped", _("Published (shipped with AIMS)")
    OWN = "own", _("Your organisation's")


OWN_MAPPING_LABEL = _("Your mapping")


# --- Controls, the Statement of Applicability, evidence, policies and the roadmap --------------------------

ISO42001_KEY = "iso42001"


class ControlType(models.TextChoices):
    POLICY = "policy", _("Policy")
    PROCESS = "process", _("Process")
    TECHNICAL = "technical", _("Technical")
    ORGANISATIONAL = "organisational", _("Organisational")


class ImplementationStatus(models.TextChoices):
    """How far a control is in place (the order is the ranking, least first)."""

    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    PARTIAL = "partial", _("Partially implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class CheckFrequency(models.TextChoices):
    """How often a control is tested or checked (clause 9.1)."""

    CONTINUOUS = "continuous", _("Continuous (automated)")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    ANNUALLY = "annually", _("Annually")
    ON_CHANGE = "on_change", _("On every significant change")


class CheckResult(models.TextChoices):
    NOT_CHECKED = "", _("Not checked yet")
    EFFECTIVE = "effective", _("Effective")
    PARTLY_EFFECTIVE = "partly_effective", _("Partly effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


class SoAStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class ExclusionReason(models.TextChoices):
    """Why an Annex A control is excluded from the SoA (clause 6.1.3 asks for the justification)."""

    NO_SUCH_ACTIVITY = "no_such_activity", _("The activity it governs does not happen here")
    OUT_OF_SCOPE = "out_of_scope", _("Outside the AIMS scope")
    RISK_NOT_PRESENT = "risk_not_present", _("The risk it treats was not identified")
    OUTSOURCED = "outsourced", _("Carried out and controlled by a supplier")
    OTHER = "other", _("Other reason")


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")


class ReviewStatus(models.TextChoices):
    """Whether someone has checked that the evidence shows what it claims."""

    PENDING = "pending", _("Awaiting review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class EvidenceState(models.TextChoices):
    """Where evidence stands today (computed, never stored)."""

    CURRENT = "current", _("Current")
    EXPIRING = "expiring", _("Expiring soon")
    EXPIRED = "expired", _("Expired")
    NOT_YET = "not_yet", _("Not yet effective")
    REJECTED = "rejected", _("Rejected")
    EMPTY = "empty", _("No file or link")


EXPIRING_DAYS = 30


class PolicyKind(models.TextChoices):
    AI_POLICY = "ai_policy", _("AI policy")
    TOPIC = "topic", _("Topic policy")


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    RETIRED = "retired", _("Retired")


class GapKind(models.TextChoices):
    """What keeps a requirement from being ready (the gap analysis)."""

    NO_CONTROL = "no_control", _("No control")
    NOT_IMPLEMENTED = "not_implemented", _("Control not implemented")
    NO_EVIDENCE = "no_evidence", _("No evidence")
    EVIDENCE_EXPIRED = "evidence_expired", _("Evidence expired")


class RoadmapPhase(models.TextChoices):
    """The seed's "practical first steps": foundations first, then build, then run and improve."""

    FOUNDATIONS = "1", _("Phase 1 · Foundations (0–3 months)")
    BUILD = "2", _("Phase 2 · Build (3–6 months)")
    OPERATE = "3", _("Phase 3 · Operate and improve (6–12 months)")


class RoadmapStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
