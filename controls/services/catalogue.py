"""Every change to the catalogue an organisation makes: its own frameworks, requirements and mappings.

Shipped reference rows (frameworks, requirements and published mappings with no organisation) are
loaded from data files by ``controls.catalogue`` and never changed here: every function refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.services import ServiceError, check_same_organisation, delete_with_history, save_with_history
from controls import catalogue
from controls.constants import FrameworkKind, Relationship
from controls.imports import parse_requirements_csv
from controls.models import Framework, Requirement, RequirementMapping

FRAMEWORK_FIELDS = ("key", "name", "version", "publisher", "kind", "description", "url", "notice")
REQUIREMENT_FIELDS = ("identifier", "title", "parent", "kind", "statement", "guidance", "assessable")
MAPPING_FIELDS = ("source", "target", "relationship", "note")

SHIPPED_READ_ONLY = _("Shipped reference data is read-only; add your own framework, requirement or mapping instead.")


def _refuse_shipped(obj) -> None:
    if obj.is_shipped:
        raise ServiceError(str(SHIPPED_READ_ONLY), conflict=True)


def _pick(data: dict, names) -> dict:
    return {name: data[name] for name in names if name in data}


# --- Frameworks --------------------------------------------------------------------------------------


def _check_key(organisation, key: str, *, exclude=None) -> None:
    if Framework.objects.shipped().filter(key=key).exists():
        raise ServiceError(gettext("This key belongs to a shipped framework; choose another."), field="key")
    clash = Framework.objects.own(organisation).filter(key=key)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ServiceError(gettext("Your organisation already has a framework with this key."), field="key")


def _save(obj, *, actor, reason: str):
    try:
        with transaction.atomic():
            return save_with_history(obj, actor=actor, reason=reason)
    except IntegrityError as exc:  # a race past the checks above
        raise ServiceError(
            gettext("This conflicts with an existing record; reload and try again."), conflict=True
        ) from exc


@transaction.atomic
def framework_create(*, actor, organisation, data: dict) -> Framework:
    """Add an organisation's own framework (an internal policy, a customer's questionnaire)."""
    values = _pick(data, FRAMEWORK_FIELDS)
    values.setdefault("kind", FrameworkKind.CUSTOM)
    _check_key(organisation, values.get("key", ""))
    framework = Framework(organisation=organisation, created_by=actor, **values)
    return _save(framework, actor=actor, reason="Created")


@transaction.atomic
def framework_update(*, actor, framework: Framework, data: dict, reason: str = "Edited") -> Framework:
    _refuse_shipped(framework)
    values = _pick(data, FRAMEWORK_FIELDS)
    if "key" in values and values["key"] != framework.key:
        _check_key(framework.organisation, values["key"], exclude=framework)
    for name, value in values.items():
        setattr(framework, name, value)
    return _save(framework, actor=actor, reason=reason)


def _in_use(requirement_ids) -> set:
    """Requirements that records other than mappings and sub-requirements refer to (controls, SoA ...)."""
    from django.apps import apps

    return catalogue.referenced_requirement_ids(catalogue.CatalogueModels(apps), requirement_ids, count_mappings=False)


@transaction.atomic
def framework_delete(*, actor, framework: Framework) -> None:
    """Delete an own framework with its requirements and mappings, unless a requirement is in use."""
    _refuse_shipped(framework)
    ids = list(framework.requirements.values_list("pk", flat=True))
    if _in_use(ids):
        raise ServiceError(
            gettext("Some of its requirements are in use (by controls or the SoA); remove those links first.")
        )
    framework._history_user = actor
    framework._change_reason = "Deleted"
    for requirement in framework.requirements.order_by("-depth"):
        requirement._history_user = actor
        requirement._change_reason = "Deleted with its framework"
        requirement.delete()
    delete_with_history(framework, actor=actor, reason="Deleted")


# --- Requirements ------------------------------------------------------------------------------------


def renumber(framework: Framework) -> None:
    """Recompute ``sort_order`` and ``depth`` so that ordering by sort_order reads the tree top to bottom.

    Siblings keep their relative order. Only rows whose position changed are written (no history: the
    position is presentation, not content).
    """
    rows = list(framework.requirements.values_list("pk", "parent_id", "sort_order", "depth", "identifier"))
    children: dict = {}
    for pk, parent_id, sort_order, _depth, identifier in rows:
        children.setdefault(parent_id, []).append((sort_order, identifier, pk))
    position = {}

    def walk(parent_id, depth):
        for _order, _identifier, pk in sorted(children.get(parent_id, [])):
            position[pk] = (len(position) + 1, depth)
            walk(pk, depth + 1)

    walk(None, 0)
    changed = []
    for pk, _parent, sort_order, depth, _identifier in rows:
        new_order, new_depth = position.get(pk, (sort_order, depth))
        if (new_order, new_depth) != (sort_order, depth):
            changed.append(Requirement(pk=pk, sort_order=new_order, depth=new_depth))
    Requirement.objects.bulk_update(changed, ["sort_order", "depth"], batch_size=500)


def _check_parent(requirement: Requirement, parent) -> None:
    if parent is None:
        return
    if parent.framework_id != requirement.framework_id:
        raise ServiceError(gettext("Choose a parent in the same framework."), field="parent")
    node = parent
    while node is not None:
        if node.pk == requirement.pk:
            raise ServiceError(
                gettext("A requirement cannot sit under itself or one of its sub-requirements."), field="parent"
            )
        node = node.parent


def _check_identifier(framework, identifier: str, *, exclude=None) -> None:
    clash = Requirement.objects.filter(framework=framework, identifier=identifier)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ServiceError(
            gettext("This framework already has a requirement with this identifier."), field="identifier"
        )


@transaction.atomic
def requirement_create(*, actor, framework: Framework, data: dict) -> Requirement:
    """Add a requirement to an organisation's own framework (appended under its parent)."""
    _refuse_shipped(framework)
    values = _pick(data, REQUIREMENT_FIELDS)
    check_same_organisation(framework.organisation, {"parent": values.get("parent")})
    _check_identifier(framework, values.get("identifier", ""))
    last = framework.requirements.aggregate(last=Max("sort_order"))["last"] or 0
    requirement = Requirement(
        framework=framework, organisation=framework.organisation, created_by=actor, sort_order=last + 1, **values
    )
    _check_parent(requirement, values.get("parent"))
    requirement = _save(requirement, actor=actor, reason="Created")
    renumber(framework)
    requirement.refresh_from_db(fields=["sort_order", "depth"])
    return requirement


@transaction.atomic
def requirement_update(*, actor, requirement: Requirement, data: dict, reason: str = "Edited") -> Requirement:
    _refuse_shipped(requirement)
    values = _pick(data, REQUIREMENT_FIELDS)
    check_same_organisation(requirement.organisation, {"parent": values.get("parent")})
    if "identifier" in values and values["identifier"] != requirement.identifier:
        _check_identifier(requirement.framework, values["identifier"], exclude=requirement)
    if "parent" in values:
        _check_parent(requirement, values["parent"])
    moved = "parent" in values and getattr(values["parent"], "pk", None) != requirement.parent_id
    if moved:  # a moved requirement goes last under its new parent
        values["sort_order"] = (requirement.framework.requirements.aggregate(last=Max("sort_order"))["last"] or 0) + 1
    for name, value in values.items():
        setattr(requirement, name, value)
    requirement = _save(requirement, actor=actor, reason=reason)
    if moved:
        renumber(requirement.framework)
        requirement.refresh_from_db(fields=["sort_order", "depth"])
    return requirement


@transaction.atomic
def requirement_delete(*, actor, requirement: Requirement) -> None:
    """Delete an own requirement and the organisation's mappings to it; refused if it has sub-requirements
    or is in use by controls or the SoA."""
    _refuse_shipped(requirement)
    if requirement.children.exists():
        raise ServiceError(gettext("It has sub-requirements: delete or move those first."))
    if _in_use([requirement.pk]):
        raise ServiceError(gettext("It is in use (by controls or the SoA); remove those links first."))
    for mapping in RequirementMapping.objects.involving(requirement):
        delete_with_history(mapping, actor=actor, reason=f"Deleted with requirement {requirement.identifier}")
    delete_with_history(requirement, actor=actor, reason="Deleted")


# --- Mappings ----------------------------------------------------------------------------------------


def _check_mapping(organisation, source, target, *, exclude=None) -> None:
    check_same_organisation(organisation, {"source": source, "target": target})
    if source is None or target is None:
        raise ServiceError(gettext("Choose a requirement."), field="source" if source is None else "target")
    if source.pk == target.pk:
        raise ServiceError(gettext("A requirement cannot be mapped to itself."), field="target")
    clash = RequirementMapping.objects.own(organisation).filter(source=source, target=target)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ServiceError(gettext("You have already mapped these two requirements."), field="target")


@transaction.atomic
def mapping_create(*, actor, organisation, data: dict) -> RequirementMapping:
    """Record the organisation's own link between two requirements, labelled as theirs."""
    values = _pick(data, MAPPING_FIELDS)
    values.setdefault("relationship", Relationship.RELATED)
    _check_mapping(organisation, values.get("source"), values.get("target"))
    mapping = RequirementMapping(organisation=organisation, created_by=actor, source_label="", **values)
    return _save(mapping, actor=actor, reason="Created")


@transaction.atomic
def mapping_update(*, actor, mapping: RequirementMapping, data: dict, reason: str = "Edited") -> RequirementMapping:
    _refuse_shipped(mapping)
    values = _pick(data, MAPPING_FIELDS)
    source, target = values.get("source", mapping.source), values.get("target", mapping.target)
    _check_mapping(mapping.organisation, source, target, exclude=mapping)
    for name, value in values.items():
        setattr(mapping, name, value)
    return _save(mapping, actor=actor, reason=reason)


@transaction.atomic
def mapping_delete(*, actor, mapping: RequirementMapping) -> None:
    _refuse_shipped(mapping)
    delete_with_history(mapping, actor=actor, reason="Deleted")


# --- CSV import --------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did, or (when ``errors`` is not empty) why it did nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, message); line 0 = the whole file

    @property
    def ok(self) -> bool:
        return not self.errors


def _import_errors(framework, parsed) -> tuple[list, dict]:
    """Per-line errors of rows that are fine on their own but not together (duplicates, parents, loops)."""
    errors = list(parsed.errors)
    existing_parents = dict(framework.requirements.values_list("identifier", "parent__identifier"))
    first_line: dict[str, int] = {}
    parents = dict(existing_parents)
    for row in parsed.rows:
        if row.identifier in first_line:
            errors.append(
                (
                    row.line,
                    gettext("The identifier “%(identifier)s” is already on line %(line)s.")
                    % {"identifier": row.identifier, "line": first_line[row.identifier]},
                )
            )
            continue
        first_line[row.identifier] = row.line
        if "parent" in parsed.columns or row.identifier not in parents:
            parents[row.identifier] = row.parent or None
    for row in parsed.rows:
        if first_line.get(row.identifier) != row.line or not row.parent:
            continue
        if row.parent == row.identifier:
            errors.append((row.line, gettext("A requirement cannot be its own parent.")))
        elif row.parent not in parents:
            errors.append(
                (
                    row.line,
                    gettext("The parent identifier “%(parent)s” is neither in the file nor in the framework.")
                    % {"parent": row.parent},
                )
            )
        else:
            node, steps = row.parent, 0
            while node is not None and steps <= len(parents):
                if node == row.identifier:
                    errors.append(
                        (
                            row.line,
                            gettext("The parent “%(parent)s” leads back to “%(identifier)s” (a loop).")
                            % {"parent": row.parent, "identifier": row.identifier},
                        )
                    )
                    break
                node, steps = parents.get(node), steps + 1
    return sorted(errors), parents


def requirements_import(*, actor, framework: Framework, content: bytes) -> ImportResult:
    """Create or update requirements of an own framework from a CSV (identifier, title, parent identifier,
    guidance; optional kind and assessable). All or nothing: any bad line and nothing is written."""
    _refuse_shipped(framework)
    parsed = parse_requirements_csv(content)
    errors, parents = _import_errors(framework, parsed)
    if errors:
        return ImportResult(errors=errors)
    result = ImportResult()

    def depth(identifier):
        level, node = 0, parents.get(identifier)
        while node is not None:
            level, node = level + 1, parents.get(node)
        return level

    rows = sorted(parsed.rows, key=lambda row: (depth(row.identifier), row.line))
    with transaction.atomic():
        existing = {r.identifier: r for r in framework.requirements.select_related("parent")}
        last = max((r.sort_order for r in existing.values()), default=0)
        for row in rows:
            parent = existing.get(row.parent) if row.parent else None
            values = {"title": row.title}
            if "guidance" in parsed.columns:
                values["guidance"] = row.guidance
            if "parent" in parsed.columns or row.identifier not in existing:
                values["parent"] = parent
            if row.kind:
                values["kind"] = row.kind
            if row.assessable is not None:
                values["assessable"] = row.assessable
            current = existing.get(row.identifier)
            if current is None:
                current = Requirement(
                    framework=framework,
                    organisation=framework.organisation,
                    created_by=actor,
                    identifier=row.identifier,
                    sort_order=last + row.line,
                    **values,
                )
                save_with_history(current, actor=actor, reason="Imported from CSV")
                existing[row.identifier] = current
                result.created += 1
                continue
            changed = [name for name, value in values.items() if getattr(current, name) != value]
            if not changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(current, name, values[name])
            save_with_history(current, actor=actor, reason="Updated from CSV")
            result.updated += 1
        renumber(framework)
    return result
