"""The shipped catalogue: reads ``controls/data/*.yaml`` and loads or upgrades it, idempotently.

One loader serves the data migration (with the migration's historical models), the
``load_frameworks`` management command and the tests. It compares each file with the database and
writes only what differs: new identifiers are created, changed titles/guidance are updated, and
identifiers no longer in the file are deleted, or marked withdrawn when anything of an organisation
refers to them (a mapping, a control, an SoA line ...). Every row it writes gets a history row,
written in bulk, so a run over an unchanged catalogue writes nothing at all.

Reference data is never edited by hand in the database (see /DESIGN.md): change the data file, bump
its ``version`` and run ``python manage.py load_frameworks``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

DATA_DIR = Path(__file__).resolve().parent / "data"
FRAMEWORK_FILES = ("iso42001.yaml", "nist_ai_rmf.yaml", "eu_ai_act.yaml", "iso27001.yaml", "gdpr.yaml")
CROSSWALK_FILES = ("crosswalk_nist_iso42001.yaml", "crosswalk_iso42001_iso27001.yaml")

FRAMEWORK_FIELDS = ("name", "version", "publisher", "kind", "description", "url", "notice")
REQUIREMENT_FIELDS = ("title", "kind", "assessable", "guidance", "statement", "attributes")
ENTRY_KEYS = frozenset({"identifier", "children", *REQUIREMENT_FIELDS})
# Besides structure, an ISO entry may carry only these (never requirement or control text).
ISO_ENTRY_KEYS = frozenset({"identifier", "title", "guidance", "kind", "assessable", "attributes", "children"})
MAPPING_FIELDS = ("relationship", "source_label", "source_url", "source_relation", "note")


class CatalogueError(Exception):
    """A data file is malformed or inconsistent (a duplicate identifier, a pair naming an unknown id)."""


@dataclass
class LoadReport:
    """What one file did to the database."""

    key: str
    kind: str  # "framework" or "crosswalk"
    version: int
    previous_version: int | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    restored: int = 0
    deleted: int = 0
    skipped: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn or self.restored or self.deleted)

    def __str__(self) -> str:
        if self.skipped:
            return f"{self.kind} {self.key}: skipped ({self.skipped})"
        upgrade = (
            f" (was v{self.previous_version})"
            if self.previous_version not in (None, self.version) and self.kind == "framework"
            else ""
        )
        counts = ", ".join(
            f"{n} {label}"
            for n, label in [
                (self.created, "created"),
                (self.updated, "updated"),
                (self.unchanged, "unchanged"),
                (self.withdrawn, "withdrawn"),
                (self.restored, "restored"),
                (self.deleted, "deleted"),
            ]
            if n or label in ("created", "updated", "unchanged")
        )
        return f"{self.kind} {self.key} v{self.version}{upgrade}: {counts}"


# --- Reading the files -------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _parse(path: str, mtime: float) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser is 20 times faster
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 — the loader is a SafeLoader subclass  # nosec B506


def read_document(name: str, data_dir: Path | None = None) -> dict:
    """One data file, parsed (cached until the file changes). Raises CatalogueError when malformed."""
    path = Path(data_dir or DATA_DIR) / name
    try:
        doc = _parse(str(path), path.stat().st_mtime)
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{name}: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("version"), int):
        raise CatalogueError(f"{name}: needs a whole-number `version:` key at the top.")
    return doc


def flatten(entries: list[dict], *, source: str = "") -> list[dict]:
    """The nested entries of a framework file in reading order, each with its parent, depth and position."""
    rows: list[dict] = []
    seen: set[str] = set()

    def walk(items, parent, depth):
        for item in items or []:
            unknown = set(item) - ENTRY_KEYS
            if unknown:
                raise CatalogueError(f"{source}: unknown keys {sorted(unknown)} in {item.get('identifier')!r}")
            identifier = str(item.get("identifier") or "").strip()
            if not identifier or not item.get("title"):
                raise CatalogueError(f"{source}: every entry needs an identifier and a title ({item!r:.80})")
            if identifier in seen:
                raise CatalogueError(f"{source}: identifier {identifier!r} appears twice")
            seen.add(identifier)
            rows.append(
                {
                    "identifier": identifier,
                    "parent": parent,
                    "depth": depth,
                    "sort_order": len(rows) + 1,
                    "title": str(item["title"]).strip(),
                    "kind": item.get("kind", "requirement"),
                    "assessable": bool(item.get("assessable", False)),
                    "guidance": str(item.get("guidance", "")).strip(),
                    "statement": str(item.get("statement", "")).strip(),
                    "attributes": item.get("attributes") or {},
                }
            )
            walk(item.get("children"), identifier, depth + 1)

    walk(entries, None, 0)
    return rows


def framework_documents(data_dir: Path | None = None) -> list[dict]:
    return [read_document(name, data_dir) for name in FRAMEWORK_FILES]


def crosswalk_documents(data_dir: Path | None = None) -> list[dict]:
    return [read_document(name, data_dir) for name in CROSSWALK_FILES]


# --- Models (real ones, or a migration's historical ones) ----------------------------------------------


class CatalogueModels:
    def __init__(self, apps):
        self.Framework = apps.get_model("controls", "Framework")
        self.Requirement = apps.get_model("controls", "Requirement")
        self.Mapping = apps.get_model("controls", "RequirementMapping")
        self.history = {
            self.Framework: apps.get_model("controls", "HistoricalFramework"),
            self.Requirement: apps.get_model("controls", "HistoricalRequirement"),
            self.Mapping: apps.get_model("controls", "HistoricalRequirementMapping"),
        }


def _field_names(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}


def _write_history(models: CatalogueModels, model, objects, *, kind: str, reason: str, when) -> None:
    """History rows for objects written in bulk (bulk writes send no signals, so simple-history is silent)."""
    if not objects:
        return
    historical = models.history[model]
    names = [f.attname for f in model._meta.concrete_fields]
    hist_names = _field_names(historical)
    rows = []
    for obj in objects:
        values = {name: getattr(obj, name) for name in names if name in hist_names}
        rows.append(
            historical(
                **values,
                history_date=when,
                history_type=kind,
                history_change_reason=reason[:100],
                history_user_id=None,
            )
        )
    historical.objects.bulk_create(rows, batch_size=500)


def _is_historical(model) -> bool:
    return model.__name__.startswith("Historical") and "history_id" in {f.name for f in model._meta.fields}


def referenced_requirement_ids(models: CatalogueModels, ids, *, count_mappings: bool = True) -> set:
    """Those of ``ids`` that anything outside the shipped catalogue points at.

    Walks every reverse relation to Requirement, so records added later (controls, SoA lines, gap items)
    count without this module knowing them. Published mappings and child requirements do not count:
    the loader replaces the former and handles the latter itself. Organisations' own mappings count
    unless ``count_mappings`` is false (deleting an own requirement takes its own mappings with it).
    """
    ids = list(ids)
    if not ids:
        return set()
    requirement = models.Requirement
    found: set = set()
    for rel in requirement._meta.get_fields(include_hidden=True):
        if not rel.auto_created or rel.concrete:
            continue
        related = rel.related_model
        if related is requirement or _is_historical(related):
            continue
        if rel.many_to_many:
            through = rel.through
            for fk in through._meta.fields:
                if fk.is_relation and fk.related_model is requirement:
                    found |= set(through.objects.filter(**{f"{fk.name}__in": ids}).values_list(fk.attname, flat=True))
            continue
        queryset = related.objects.filter(**{f"{rel.field.name}__in": ids})
        if related is models.Mapping:
            if not count_mappings:
                continue
            queryset = queryset.filter(organisation__isnull=False)
        found |= set(queryset.values_list(rel.field.attname, flat=True))
    return found


# --- Loading -----------------------------------------------------------------------------------------


def _load_framework(models: CatalogueModels, doc: dict, *, when, source: str) -> LoadReport:
    meta = doc.get("framework") or {}
    key = meta.get("key")
    if not key:
        raise CatalogueError(f"{source}: `framework.key` is missing")
    rows = flatten(doc.get("requirements") or [], source=source)
    report = LoadReport(key=key, kind="framework", version=doc["version"])
    reason = f"Catalogue {key} v{doc['version']}"
    Framework, Requirement = models.Framework, models.Requirement

    framework = Framework.objects.filter(organisation__isnull=True, key=key).first()
    values = {name: str(meta.get(name) or "") for name in FRAMEWORK_FIELDS if name in _field_names(Framework)}
    values["data_version"] = doc["version"]
    if framework is None:
        framework = Framework(id=uuid.uuid4(), key=key, **values)
        Framework.objects.bulk_create([framework])
        _write_history(models, Framework, [framework], kind="+", reason=reason, when=when)
    else:
        report.previous_version = framework.data_version
        changed = [name for name, value in values.items() if getattr(framework, name) != value]
        if changed:
            for name in changed:
                setattr(framework, name, values[name])
            framework.updated_at = when
            Framework.objects.bulk_update([framework], [*changed, "updated_at"])
            _write_history(models, Framework, [framework], kind="~", reason=reason, when=when)

    existing = {r.identifier: r for r in Requirement.objects.filter(framework=framework)}
    ids = {identifier: r.pk for identifier, r in existing.items()}
    fields = [name for name in REQUIREMENT_FIELDS if name in _field_names(Requirement)]
    content = [*fields, "parent_id", "withdrawn"]  # a change here is history
    position = ["sort_order", "depth"]  # a change only here is presentation: written, no history
    to_create, to_update, to_move = [], [], []
    for row in rows:
        parent_id = ids[row["parent"]] if row["parent"] else None
        wanted = {name: row[name] for name in fields}
        wanted.update(sort_order=row["sort_order"], depth=row["depth"], parent_id=parent_id, withdrawn=False)
        current = existing.get(row["identifier"])
        if current is None:
            obj = Requirement(id=uuid.uuid4(), framework=framework, identifier=row["identifier"], **wanted)
            ids[row["identifier"]] = obj.pk
            to_create.append(obj)
            continue
        changed = [name for name in content if getattr(current, name) != wanted[name]]
        moved = [name for name in position if getattr(current, name) != wanted[name]]
        for name in changed + moved:
            setattr(current, name, wanted[name])
        if changed:
            if "withdrawn" in changed:
                report.restored += 1
            else:
                report.updated += 1
            current.updated_at = when
            to_update.append(current)
        else:
            report.unchanged += 1
            if moved:
                to_move.append(current)
    Requirement.objects.bulk_create(to_create, batch_size=500)
    Requirement.objects.bulk_update(to_update, [*content, *position, "updated_at"], batch_size=500)
    Requirement.objects.bulk_update(to_move, position, batch_size=500)
    report.created = len(to_create)
    _write_history(models, Requirement, to_create, kind="+", reason=reason, when=when)

    in_file = {row["identifier"] for row in rows}
    missing = {r.pk: r for identifier, r in existing.items() if identifier not in in_file}
    keep = referenced_requirement_ids(models, missing)
    for pk in list(keep):  # the ancestors of a kept row stay too, so the tree holds together
        parent_id = missing[pk].parent_id
        while parent_id in missing and parent_id not in keep:
            keep.add(parent_id)
            parent_id = missing[parent_id].parent_id
    withdrawn = []
    for pk in keep:
        obj = missing[pk]
        if not obj.withdrawn:
            obj.withdrawn = True
            obj.updated_at = when
            withdrawn.append(obj)
    Requirement.objects.bulk_update(withdrawn, ["withdrawn", "updated_at"], batch_size=500)
    report.withdrawn = len(withdrawn)
    _write_history(models, Requirement, [*to_update, *withdrawn], kind="~", reason=reason, when=when)
    for obj in sorted((r for pk, r in missing.items() if pk not in keep), key=lambda r: -r.depth):
        obj._change_reason = reason  # read by simple-history's delete signal (real models only)
        obj.delete()
        report.deleted += 1
    return report


def _load_crosswalk(models: CatalogueModels, doc: dict, *, when, source: str) -> LoadReport:
    key = doc.get("key")
    report = LoadReport(key=key or source, kind="crosswalk", version=doc["version"])
    if not key or not doc.get("source_framework") or not doc.get("target_framework"):
        raise CatalogueError(f"{source}: needs `key`, `source_framework` and `target_framework`")
    Framework, Requirement, Mapping = models.Framework, models.Requirement, models.Mapping
    frameworks = {
        fw.key: fw
        for fw in Framework.objects.filter(
            organisation__isnull=True, key__in=[doc["source_framework"], doc["target_framework"]]
        )
    }
    absent = [k for k in (doc["source_framework"], doc["target_framework"]) if k not in frameworks]
    if absent:
        report.skipped = f"framework {', '.join(absent)} not loaded"
        return report
    identifiers = {
        k: dict(Requirement.objects.filter(framework=fw).values_list("identifier", "pk"))
        for k, fw in frameworks.items()
    }
    cited = doc.get("source") or {}
    default_relationship = doc.get("relationship", "related")
    wanted: dict[tuple, dict] = {}
    for pair in doc.get("pairs") or []:
        source_id = identifiers[doc["source_framework"]].get(str(pair.get("source")))
        target_id = identifiers[doc["target_framework"]].get(str(pair.get("target")))
        if source_id is None or target_id is None:
            raise CatalogueError(f"{source}: pair {pair.get('source')} → {pair.get('target')} names an unknown id")
        if (source_id, target_id) in wanted:
            raise CatalogueError(f"{source}: pair {pair['source']} → {pair['target']} appears twice")
        wanted[(source_id, target_id)] = {
            "relationship": pair.get("relationship", default_relationship),
            "source_label": str(cited.get("label", ""))[:300],
            "source_url": str(cited.get("url", "")),
            "source_relation": str(pair.get("source_relation", "")),
            "note": str(pair.get("note", "")),
        }

    reason = f"Crosswalk {key} v{doc['version']}"
    existing = {
        (m.source_id, m.target_id): m for m in Mapping.objects.filter(organisation__isnull=True, source_key=key)
    }
    clash = (
        Mapping.objects.filter(organisation__isnull=True)
        .exclude(source_key=key)
        .filter(source_id__in={s for s, _ in wanted}, target_id__in={t for _, t in wanted})
        .values_list("source_id", "target_id")
    )
    if set(clash) & set(wanted):
        raise CatalogueError(f"{source}: some pairs are already published by another crosswalk")
    fields = [name for name in MAPPING_FIELDS if name in _field_names(Mapping)]
    to_create, to_update = [], []
    for (source_id, target_id), values in wanted.items():
        current = existing.get((source_id, target_id))
        if current is None:
            to_create.append(
                Mapping(
                    id=uuid.uuid4(),
                    source_id=source_id,
                    target_id=target_id,
                    source_key=key,
                    **{name: values[name] for name in fields},
                )
            )
            continue
        changed = [name for name in fields if getattr(current, name) != values[name]]
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(current, name, values[name])
        current.updated_at = when
        to_update.append(current)
    Mapping.objects.bulk_create(to_create, batch_size=500)
    Mapping.objects.bulk_update(to_update, [*fields, "updated_at"], batch_size=500)
    report.created, report.updated = len(to_create), len(to_update)
    _write_history(models, Mapping, to_create, kind="+", reason=reason, when=when)
    _write_history(models, Mapping, to_update, kind="~", reason=reason, when=when)
    for pair, obj in existing.items():
        if pair not in wanted:
            obj._change_reason = reason
            obj.delete()
            report.deleted += 1
    return report


def catalogue_keys(data_dir: Path | None = None) -> list[str]:
    """Every framework and crosswalk key the data files define (for ``--only``)."""
    keys = [doc["framework"]["key"] for doc in framework_documents(data_dir)]
    return keys + [doc["key"] for doc in crosswalk_documents(data_dir)]


def load_catalogue(*, only: str | None = None, apps=None, data_dir: Path | None = None) -> list[LoadReport]:
    """Load or upgrade the shipped frameworks and crosswalks; returns one report per file.

    ``only`` limits the run to one framework (and the crosswalks that involve it) or one crosswalk.
    ``apps`` is a migration's app registry when called from a data migration.
    """
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    if only is not None and only not in catalogue_keys(data_dir):
        raise CatalogueError(
            f"Unknown framework or crosswalk key {only!r}; known: {', '.join(catalogue_keys(data_dir))}"
        )
    models = CatalogueModels(apps)
    when = timezone.now()
    reports = []
    for name in FRAMEWORK_FILES:  # a malformed file stops the run before anything is written
        flatten(read_document(name, data_dir).get("requirements") or [], source=name)
    with transaction.atomic():
        for name in FRAMEWORK_FILES:
            doc = read_document(name, data_dir)
            if only is None or doc.get("framework", {}).get("key") == only:
                reports.append(_load_framework(models, doc, when=when, source=name))
        for name in CROSSWALK_FILES:
            doc = read_document(name, data_dir)
            involved = {doc.get("key"), doc.get("source_framework"), doc.get("target_framework")}
            if only is None or only in involved:
                reports.append(_load_crosswalk(models, doc, when=when, source=name))
    return reports


def load_catalogue_migration(apps, schema_editor) -> None:
    """RunPython entry point of the data migration: the same loader on a fresh database."""
    load_catalogue(apps=apps)
