"""Choices of the framework catalogue and its crosswalks."""

from django.db import models


class FrameworkKind(models.TextChoices):
    STANDARD = "standard", "Standard"
    REGULATION = "regulation", "Regulation"
    FRAMEWORK = "framework", "Framework"
    CUSTOM = "custom", "Custom"


class RequirementKind(models.TextChoices):
    """What a catalogue entry is; the loader and CSV import accept exactly these keys."""

    CLAUSE = "clause", "Clause"
    ANNEX = "annex", "Annex"
    SECTION = "section", "Section"
    OBJECTIVE = "objective", "Control objective"
    ANNEX_A_CONTROL = "annex_a_control", "Annex A control"
    ANNEX_C_OBJECTIVE = "annex_c_objective", "Annex C objective"
    ANNEX_C_RISK_SOURCE = "annex_c_risk_source", "Annex C risk source"
    THEME = "theme", "Theme"
    FUNCTION = "function", "Function"
    CATEGORY = "category", "Category"
    SUBCATEGORY = "subcategory", "Subcategory"
    RISK_TIER = "risk_tier", "Risk tier"
    CHAPTER = "chapter", "Chapter"
    ARTICLE = "article", "Article"
    PARAGRAPH = "paragraph", "Paragraph"
    POINT = "point", "Point"
    GROUP = "group", "Group"
    REQUIREMENT = "requirement", "Requirement"
    QUESTION = "question", "Question"


class Relationship(models.TextChoices):
    """How a source requirement relates to a target (set-theory terms, as in NIST OLIR).

    Published crosswalks without a stated strength are all "related": never read a mapping as proof
    that meeting one requirement meets the other.
    """

    EQUAL = "equal", "Equal"
    SUBSET = "subset", "Subset of"
    SUPERSET = "superset", "Superset of"
    INTERSECTS = "intersects", "Intersects with"
    RELATED = "related", "Related to"


class Origin(models.TextChoices):
    """Who a catalogue row comes from: shipped with AIMS, or the organisation's own."""

    SHIPPED = "shipped", "Published (shipped with AIMS)"
    OWN = "own", "Your organisation's"


OWN_MAPPING_LABEL = "Your mapping"


# --- Controls, the Statement of Applicability, evidence, policies and the roadmap --------------------------

ISO42001_KEY = "iso42001"


class ControlType(models.TextChoices):
    POLICY = "policy", "Policy"
    PROCESS = "process", "Process"
    TECHNICAL = "technical", "Technical"
    ORGANISATIONAL = "organisational", "Organisational"


class ImplementationStatus(models.TextChoices):
    """How far a control is in place (the order is the ranking, least first)."""

    NOT_STARTED = "not_started", "Not started"
    PLANNED = "planned", "Planned"
    PARTIAL = "partial", "Partially implemented"
    IMPLEMENTED = "implemented", "Implemented"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class CheckFrequency(models.TextChoices):
    """How often a control is tested or checked (clause 9.1)."""

    CONTINUOUS = "continuous", "Continuous (automated)"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half_yearly", "Every six months"
    ANNUALLY = "annually", "Annually"
    ON_CHANGE = "on_change", "On every significant change"


class CheckResult(models.TextChoices):
    NOT_CHECKED = "", "Not checked yet"
    EFFECTIVE = "effective", "Effective"
    PARTLY_EFFECTIVE = "partly_effective", "Partly effective"
    NOT_EFFECTIVE = "not_effective", "Not effective"


class SoAStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class ExclusionReason(models.TextChoices):
    """Why an Annex A control is excluded from the SoA (clause 6.1.3 asks for the justification)."""

    NO_SUCH_ACTIVITY = "no_such_activity", "The activity it governs does not happen here"
    OUT_OF_SCOPE = "out_of_scope", "Outside the AIMS scope"
    RISK_NOT_PRESENT = "risk_not_present", "The risk it treats was not identified"
    OUTSOURCED = "outsourced", "Carried out and controlled by a supplier"
    OTHER = "other", "Other reason"


class EvidenceKind(models.TextChoices):
    FILE = "file", "File"
    LINK = "link", "Link"


class ReviewStatus(models.TextChoices):
    """Whether someone has checked that the evidence shows what it claims."""

    PENDING = "pending", "Awaiting review"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class EvidenceState(models.TextChoices):
    """Where evidence stands today (computed, never stored)."""

    CURRENT = "current", "Current"
    EXPIRING = "expiring", "Expiring soon"
    EXPIRED = "expired", "Expired"
    NOT_YET = "not_yet", "Not yet effective"
    REJECTED = "rejected", "Rejected"
    EMPTY = "empty", "No file or link"


EXPIRING_DAYS = 30


class PolicyKind(models.TextChoices):
    AI_POLICY = "ai_policy", "AI policy"
    TOPIC = "topic", "Topic policy"


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class GapKind(models.TextChoices):
    """What keeps a requirement from being ready (the gap analysis)."""

    NO_CONTROL = "no_control", "No control"
    NOT_IMPLEMENTED = "not_implemented", "Control not implemented"
    NO_EVIDENCE = "no_evidence", "No evidence"
    EVIDENCE_EXPIRED = "evidence_expired", "Evidence expired"


class RoadmapPhase(models.TextChoices):
    """The seed's "practical first steps": foundations first, then build, then run and improve."""

    FOUNDATIONS = "1", "Phase 1 · Foundations (0–3 months)"
    BUILD = "2", "Phase 2 · Build (3–6 months)"
    OPERATE = "3", "Phase 3 · Operate and improve (6–12 months)"


class RoadmapStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
