"""Reads of the catalogue that take more than one step: the requirement tree, a requirement's links."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from controls.models import Evidence, Framework, Requirement, RequirementMapping


def evidence_count():
    """A control's number of evidence records, as an annotation: a subquery evaluated for the rows shown only.
    ``Count("evidence", distinct=True)`` grouped every control of the organisation before the page was cut
    (most of a controls page's query time at 2,000 controls)."""
    links = (
        Evidence.controls.through.objects.filter(control=OuterRef("pk"))
        .order_by()
        .values("control")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(links, output_field=IntegerField()), 0)


@dataclass
class TreeNode:
    requirement: Requirement
    children: list[TreeNode] = field(default_factory=list)


def requirement_tree(framework: Framework, *, organisation) -> list[TreeNode]:
    """The framework's requirements as a tree (one query, mapping counts included)."""
    rows = list(
        framework.requirements.with_mapping_counts(organisation)
        .order_by("sort_order")
        .only("id", "parent_id", "identifier", "title", "kind", "assessable", "withdrawn", "depth", "framework_id")
    )
    nodes = {row.pk: TreeNode(row) for row in rows}
    roots = []
    for row in rows:
        parent = nodes.get(row.parent_id)
        (parent.children if parent else roots).append(nodes[row.pk])
    return roots


def requirement_ancestors(requirement: Requirement) -> list[Requirement]:
    """Parent, grandparent ... of ``requirement``, top first (one query for the whole framework)."""
    if requirement.parent_id is None:
        return []
    rows = {
        row.pk: row
        for row in Requirement.objects.filter(framework_id=requirement.framework_id).only(
            "id", "parent_id", "identifier", "title", "framework_id"
        )
    }
    chain, node = [], rows.get(requirement.parent_id)
    while node is not None and len(chain) < 20:
        chain.append(node)
        node = rows.get(node.parent_id)
    return list(reversed(chain))


@dataclass
class MappedRequirement:
    """One link seen from a requirement: the requirement at the other end and how it is linked."""

    mapping: RequirementMapping
    other: Requirement
    direction: str  # "to" (this requirement is the source) or "from"


@dataclass
class FrameworkLinks:
    framework: Framework
    links: list[MappedRequirement]


def requirement_links(requirement: Requirement, *, user, organisation) -> list[FrameworkLinks]:
    """The requirements mapped to or from ``requirement`` (published and the organisation's own), grouped
    by the framework they are in, in catalogue order."""
    mappings = (
        RequirementMapping.objects.visible_to(user, organisation)
        .filter(Q(source=requirement) | Q(target=requirement))
        .select_related("source__framework", "target__framework")
    )
    groups: dict = {}
    for mapping in mappings:
        outgoing = mapping.source_id == requirement.pk
        other = mapping.target if outgoing else mapping.source
        groups.setdefault(other.framework_id, FrameworkLinks(other.framework, [])).links.append(
            MappedRequirement(mapping, other, "to" if outgoing else "from")
        )
    for group in groups.values():
        group.links.sort(key=lambda link: (link.other.sort_order, link.mapping.is_shipped))
    return sorted(
        groups.values(), key=lambda group: (group.framework.organisation_id is not None, group.framework.name)
    )


def default_crosswalk_pair(user, organisation) -> tuple[Framework | None, Framework | None]:
    """The crosswalk page opens on NIST AI RMF ↔ ISO/IEC 42001 when both are loaded."""
    frameworks = {
        fw.key: fw
        for fw in Framework.objects.visible_to(user, organisation).filter(
            organisation__isnull=True, key__in=["nist_ai_rmf", "iso42001"]
        )
    }
    return frameworks.get("nist_ai_rmf"), frameworks.get("iso42001")
