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
