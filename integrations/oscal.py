"""The organisation's AIMS as OSCAL 1.2 JSON (NIST's Open Security Controls Assessment Language), and the
import of an OSCAL catalog as an own framework.

- ``catalog``: a framework (the organisation's own, or a shipped one: identifiers, titles and our guidance).
- ``profile``: the SoA — the applicable Annex A controls of ISO/IEC 42001 selected from its catalog.
- ``component-definition``: one component per AI system, with the controls implemented for it.
- ``assessment-results``: an internal audit — its checklist results as observations, its findings.

Control ids are OSCAL tokens made from the identifiers (``A.6.2.4`` → ``a.6.2.4``; the identifier as
published stays in the ``label`` property). Element UUIDs are v5, derived from the records, so the same
record has the same UUID in every export.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

OSCAL_VERSION = "1.2.3"
SCHEMA_PATH = Path(__file__).parent / "oscal_schema" / "oscal_complete_schema.json"


def _in_reader_language(message):
    """A refusal worded when it is shown: documents are built in the site language (OSCAL content is
    machine-facing), but the page or API answer that reports the refusal is in the reader's language."""
    return lazy(message, str)()


KINDS = {
    "catalog": _("Catalog (a framework)"),
    "profile": _("Profile (the SoA: applicable Annex A controls)"),
    "component-definition": _("Component definition (implemented controls per AI system)"),
    "assessment-results": _("Assessment results (an internal audit)"),
}
_NS = uuid.UUID("6f1c8a52-3a5e-4c4e-9d1f-2b0f5e7a9c10")
AIMS_NS = "https://aims.example/ns/oscal"  # namespace of our own properties


class OscalError(Exception):
    """The document cannot be made (nothing to export) or read (an import). The message says why."""


# --- Helpers --------------------------------------------------------------------------------------------


def stable_uuid(*parts) -> str:
    return str(uuid.uuid5(_NS, "/".join(str(p) for p in parts)))


def token(identifier: str) -> str:
    """An OSCAL token (``^(\\p{L}|_)(\\p{L}|\\p{N}|[.\\-_])*$``) for a published identifier."""
    text = unicodedata.normalize("NFKD", identifier).encode("ascii", "ignore").decode().lower().strip()
    text = re.sub(r"[^a-z0-9._-]+", "-", text).strip("-.")
    if not text or not (text[0].isalpha() or text[0] == "_"):
        text = f"_{text}"
    return text


def _text(value) -> str:
    """A non-empty single-line-safe string (OSCAL strings may not start or end with spaces)."""
    return " ".join(str(value or "").split())


def _prop(name: str, value, *, ns: str | None = AIMS_NS) -> dict | None:
    value = _text(value)
    if not value:
        return None
    prop = {"name": name, "value": value}
    if ns:
        prop["ns"] = ns
    return prop


def _props(*props) -> dict:
    kept = [p for p in props if p]
    return {"props": kept} if kept else {}


def _metadata(organisation, title: str, *, version: str = "1", remarks: str = "") -> dict:
    party = stable_uuid("party", organisation.pk)
    metadata = {
        "title": title,
        "last-modified": timezone.now().replace(microsecond=0).isoformat(),
        "version": version,
        "oscal-version": OSCAL_VERSION,
        "roles": [{"id": "prepared-by", "title": "Prepared by"}],
        "parties": [{"uuid": party, "type": "organization", "name": organisation.name}],
        "responsible-parties": [{"role-id": "prepared-by", "party-uuids": [party]}],
    }
    if remarks:
        metadata["remarks"] = remarks
    return metadata


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def document_url(kind: str, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return _absolute(reverse("oscal-document", args=[kind])) + (f"?{query}" if query else "")


# --- Catalog --------------------------------------------------------------------------------------------


def _control(requirement, children: dict) -> dict:
    control = {"id": token(requirement.identifier), "title": _text(requirement.title) or requirement.identifier}
    control.update(
        _props(
            _prop("label", requirement.identifier, ns=None),
            _prop("kind", requirement.get_kind_display()),
            _prop("status", "withdrawn", ns=None) if requirement.withdrawn else None,
        )
    )
    parts = []
    if requirement.statement.strip():
        parts.append({"id": f"{control['id']}_smt", "name": "statement", "prose": requirement.statement.strip()})
    if requirement.guidance.strip():
        parts.append({"id": f"{control['id']}_gdn", "name": "guidance", "prose": requirement.guidance.strip()})
    if parts:
        control["parts"] = parts
    nested = [_control(child, children) for child in children.get(requirement.pk, [])]
    if nested:
        control["controls"] = nested
    return control


def catalog(framework) -> dict:
    """The framework's requirements as an OSCAL catalog (nested as in the framework)."""
    requirements = list(framework.requirements.order_by("sort_order", "identifier"))
    if not requirements:
        raise OscalError(
            _in_reader_language(
                lambda: gettext("%(framework)s has no requirements to export.") % {"framework": framework}
            )
        )
    children: dict = {}
    for requirement in requirements:
        children.setdefault(requirement.parent_id, []).append(requirement)
    metadata = _metadata(
        framework.organisation or _Publisher(framework.publisher or "AIMS"),
        framework.name,
        version=framework.version or "1",
        remarks=framework.notice,
    )
    metadata.update(_props(_prop("framework-key", framework.key)))
    return {
        "catalog": {
            "uuid": stable_uuid("catalog", framework.pk, timezone.now().isoformat()),
            "metadata": metadata,
            "controls": [_control(r, children) for r in children.get(None, [])],
        }
    }


@dataclass
class _Publisher:
    """Stands in for an organisation as the party of a shipped framework."""

    name: str

    @property
    def pk(self) -> str:
        return self.name


# --- Profile (SoA) --------------------------------------------------------------------------------------


def profile(organisation) -> dict:
    """The SoA as a profile of the ISO/IEC 42001 catalog: the applicable Annex A controls, with the reasons."""
    from controls.constants import ISO42001_KEY
    from controls.models import SoALine

    lines = list(
        SoALine.objects.filter(organisation=organisation, applicable=True)
        .select_related("requirement", "soa")
        .order_by("requirement__sort_order")
    )
    if not lines:
        raise OscalError(_("The Statement of Applicability has no applicable Annex A control yet."))
    soa = lines[0].soa
    resource = stable_uuid("iso42001-catalog", organisation.pk)
    metadata = _metadata(organisation, f"{soa.title} — {organisation.name}", version=str(soa.version))
    metadata.update(_props(_prop("soa-status", soa.get_status_display())))
    return {
        "profile": {
            "uuid": stable_uuid("profile", organisation.pk, timezone.now().isoformat()),
            "metadata": metadata,
            "imports": [
                {
                    "href": f"#{resource}",
                    "include-controls": [{"with-ids": [token(line.requirement.identifier) for line in lines]}],
                }
            ],
            "merge": {"as-is": True},
            "back-matter": {
                "resources": [
                    {
                        "uuid": resource,
                        "title": "ISO/IEC 42001 Annex A (identifiers and titles; AIMS catalog export)",
                        "rlinks": [
                            {"href": document_url("catalog", framework=ISO42001_KEY), "media-type": "application/json"}
                        ],
                    }
                ]
            },
        }
    }


# --- Component definition (implemented controls per AI system) ------------------------------------------


def component_definition(organisation) -> dict:
    from controls.constants import ISO42001_KEY
    from controls.models import Control
    from registry.models import AISystem

    systems = list(AISystem.objects.filter(organisation=organisation).order_by("reference"))
    if not systems:
        raise OscalError(_("The inventory has no AI system yet."))
    controls = (
        Control.objects.filter(organisation=organisation)
        .prefetch_related("requirements__framework", "ai_systems")
        .order_by("reference")
    )
    by_system: dict = {system.pk: [] for system in systems}
    for control in controls:
        for system in control.ai_systems.all():
            by_system.setdefault(system.pk, []).append(control)
    source = document_url("catalog", framework=ISO42001_KEY)
    components = []
    for system in systems:
        component = {
            "uuid": stable_uuid("component", system.pk),
            "type": "software",
            "title": f"{system.reference} {system.name}".strip(),
            "description": _text(system.description or system.intended_purpose) or system.name,
            "purpose": _text(system.intended_purpose) or None,
            **_props(
                _prop("reference", system.reference),
                _prop("lifecycle-stage", system.get_lifecycle_stage_display()),
                _prop("criticality", system.get_criticality_display()),
            ),
        }
        if component["purpose"] is None:
            del component["purpose"]
        implemented: dict[str, dict] = {}
        for control in by_system.get(system.pk, []):
            for requirement in control.requirements.all():
                if requirement.framework.key != ISO42001_KEY:
                    continue
                control_id = token(requirement.identifier)
                entry = implemented.setdefault(
                    control_id,
                    {
                        "uuid": stable_uuid("implemented", system.pk, requirement.pk),
                        "control-id": control_id,
                        "description": "",
                        "props": [],
                    },
                )
                line = f"{control.reference} {control.title} ({control.get_implementation_status_display()})."
                entry["description"] = _text(f"{entry['description']} {line}")
                entry["props"].append(_prop("implemented-by", control.reference))
                entry["props"].append(_prop("implementation-status", control.implementation_status))
        if implemented:
            component["control-implementations"] = [
                {
                    "uuid": stable_uuid("control-implementation", system.pk),
                    "source": source,
                    "description": f"ISO/IEC 42001 Annex A controls implemented for {system.reference}.",
                    "implemented-requirements": list(implemented.values()),
                }
            ]
        components.append(component)
    return {
        "component-definition": {
            "uuid": stable_uuid("component-definition", organisation.pk, timezone.now().isoformat()),
            "metadata": _metadata(organisation, f"AI systems of {organisation.name} and their controls"),
            "components": components,
        }
    }


# --- Assessment results (an internal audit) -------------------------------------------------------------

_SATISFIED = {"conforming": "satisfied", "major_nc": "not-satisfied", "minor_nc": "not-satisfied"}


def _day_start(day) -> str:
    import datetime as dt

    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC).isoformat()


def assessment_results(audit) -> dict:
    """The audit's checklist as observations and its findings, against the audit criteria."""
    items = list(audit.checklist.select_related("requirement").order_by("position"))
    findings = list(audit.findings.select_related("requirement").order_by("reference"))
    start = audit.actual_start or audit.planned_start or timezone.localdate(audit.created_at)
    observations = []
    for item in items:
        if not item.result:
            continue
        observations.append(
            {
                "uuid": stable_uuid("observation", item.pk),
                "title": f"{item.requirement.identifier}: {item.get_result_display()}",
                "description": _text(item.notes) or item.get_result_display(),
                "methods": ["EXAMINE"],
                "collected": (item.recorded_at or audit.created_at).replace(microsecond=0).isoformat(),
                **_props(_prop("result", item.result), _prop("control-id", token(item.requirement.identifier))),
            }
        )
    oscal_findings = []
    for finding in findings:
        requirement = finding.requirement
        target_id = token(requirement.identifier) if requirement else "_audit"
        entry = {
            "uuid": stable_uuid("finding", finding.pk),
            "title": f"{finding.reference} {finding.title}",
            "description": _text(finding.description) or finding.title,
            "target": {
                "type": "objective-id",
                "target-id": target_id,
                "status": {
                    "state": _SATISFIED.get(finding.kind, "satisfied"),
                    "reason": finding.kind.replace("_", "-"),
                },
            },
            **_props(_prop("finding-kind", finding.get_kind_display())),
        }
        if finding.checklist_item_id:
            entry["related-observations"] = [
                {"observation-uuid": stable_uuid("observation", finding.checklist_item_id)}
            ]
        oscal_findings.append(entry)
    selected = sorted({token(i.requirement.identifier) for i in items})
    reviewed = (
        {"control-selections": [{"include-controls": [{"control-id": c} for c in selected]}]}
        if selected
        else {"control-selections": [{"include-all": {}}]}
    )
    result = {
        "uuid": stable_uuid("result", audit.pk),
        "title": f"{audit.reference} {audit.title}",
        "description": _text(audit.summary or audit.scope) or audit.title,
        "start": _day_start(start),
        "reviewed-controls": reviewed,
        **_props(_prop("audit-status", audit.get_status_display())),
    }
    if audit.actual_end:
        result["end"] = _day_start(audit.actual_end)
    if observations:
        result["observations"] = observations
    if oscal_findings:
        result["findings"] = oscal_findings
    if audit.conclusion.strip():
        result["remarks"] = audit.conclusion.strip()
    return {
        "assessment-results": {
            "uuid": stable_uuid("assessment-results", audit.pk, timezone.now().isoformat()),
            "metadata": _metadata(audit.organisation, f"Internal audit {audit.reference}: {audit.title}"),
            "import-ap": {"href": _absolute(reverse("audits:audit-detail", args=[audit.pk]))},
            "results": [result],
        }
    }


# --- Validation -----------------------------------------------------------------------------------------


@functools.cache
def _schema() -> dict:
    """NIST's schema; its ``\\p{L}``/``\\p{N}`` classes rewritten for Python's ``re`` (same meaning)."""
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    text = text.replace("\\\\p{L}", "[^\\\\W\\\\d_]").replace("\\\\p{N}", "\\\\d")
    return json.loads(text)


def _root_schema(root: str) -> dict:
    schema = _schema()
    definition = next(
        name for name in schema["definitions"] if name.endswith(f"oscal-{root}:{root}") or name.endswith(f":{root}")
    )
    return {
        "$schema": schema["$schema"],
        "definitions": schema["definitions"],
        "type": "object",
        "properties": {root: {"$ref": f"#/definitions/{definition}"}},
        "required": [root],
        "additionalProperties": False,
    }


def validate(document: dict) -> list[str]:
    """Schema errors of an OSCAL document (empty when valid), each with its JSON path."""
    import jsonschema

    if not isinstance(document, dict) or len(document) != 1:
        return ["An OSCAL document is an object with one root: catalog, profile, ..."]
    root = next(iter(document))
    try:
        schema = _root_schema(root)
    except StopIteration:
        return [f"“{root}” is not an OSCAL model."]
    validator = jsonschema.Draft7Validator(schema, format_checker=None)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message[:300]}" for e in errors[:50]]


# --- Import of a catalog as an own framework ------------------------------------------------------------


@dataclass
class CatalogImport:
    framework: object = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = True
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _label(control: dict) -> str:
    for prop in control.get("props", []):
        if prop.get("name") == "label" and _text(prop.get("value")):
            return _text(prop["value"])
    return control["id"]


def _prose(control: dict, name: str) -> str:
    return "\n\n".join(p.get("prose", "").strip() for p in control.get("parts", []) if p.get("name") == name).strip()


def _catalog_rows(catalog_doc: dict) -> list[dict]:
    rows: list[dict] = []

    def walk(items, parent: str, is_group: bool):
        for item in items:
            identifier = _label(item) if "id" in item else _text(item.get("title"))
            guidance = _prose(item, "guidance") or _prose(item, "statement") or _prose(item, "overview")
            rows.append(
                {"identifier": identifier, "title": _text(item.get("title")), "parent": parent, "guidance": guidance}
            )
            walk(item.get("groups", []), identifier, True)
            walk(item.get("controls", []), identifier, False)

    walk(catalog_doc.get("groups", []), "", True)
    walk(catalog_doc.get("controls", []), "", False)
    return rows


def _rows_csv(rows: list[dict]) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["identifier", "title", "parent identifier", "guidance"])
    for row in rows:
        writer.writerow([row["identifier"], row["title"], row["parent"], row["guidance"]])
    return buffer.getvalue().encode()


class _DryRun(Exception):
    pass


def import_catalog(*, actor, organisation, content: bytes, key: str = "", dry_run: bool = True) -> CatalogImport:
    """Create (or update, by key) an own framework from an OSCAL catalog. A dry run checks everything and
    writes nothing; any error writes nothing either."""
    from django.utils.text import slugify

    from aims.services import ServiceError
    from controls.models import Framework
    from controls.services import catalogue

    result = CatalogImport(dry_run=dry_run)
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        result.errors.append(gettext("The file is not JSON: %(error)s.") % {"error": exc})
        return result
    if not isinstance(document, dict) or "catalog" not in document:
        result.errors.append(gettext("The file is not an OSCAL catalog (its root must be “catalog”)."))
        return result
    result.errors = validate(document)
    if result.errors:
        return result
    body = document["catalog"]
    rows = _catalog_rows(body)
    if not rows:
        result.errors.append(gettext("The catalog has no groups or controls."))
        return result
    metadata = body["metadata"]
    key = slugify(key or metadata["title"])[:40] or "oscal-catalog"
    try:
        with transaction.atomic():
            framework = Framework.objects.filter(organisation=organisation, key=key).first()
            values = {"name": _text(metadata["title"])[:200], "version": _text(metadata.get("version"))[:50]}
            if framework is None:
                framework = catalogue.framework_create(
                    actor=actor, organisation=organisation, data={"key": key, "publisher": "OSCAL import", **values}
                )
            else:
                catalogue.framework_update(actor=actor, framework=framework, data=values, reason="Imported from OSCAL")
            outcome = catalogue.requirements_import(actor=actor, framework=framework, content=_rows_csv(rows))
            result.framework = framework
            result.created, result.updated, result.unchanged = outcome.created, outcome.updated, outcome.unchanged
            result.errors = [message for _, message in outcome.errors]
            if dry_run or result.errors:
                raise _DryRun  # roll back: nothing is written
    except _DryRun:
        result.framework = None  # rolled back: it does not exist

    except ServiceError as exc:
        result.errors.extend(exc.messages)
    return result
