"""The KPI register and its snapshots (ISO/IEC 42001 clause 9.1).

``kpi_snapshot_take`` computes built-in KPIs and stores their values; the scheduled job calls it with
``source="job"`` and is idempotent per KPI and day (in the organisation's time zone): running it twice the same
day leaves one snapshot. ``kpi_record_value`` stores a value of a manual KPI (entered, or posted through the
API). After either, the KPI's latest values are updated and, when the KPI measures an approved AI objective,
the objective gets the value too (9.1 feeds 6.2).
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.services import ServiceError, delete_with_history
from audits import builtin_kpis
from audits.constants import KPIDirection, KPIKind, SnapshotSource
from audits.deadlines import organisation_zone
from audits.models import KPI, KPISnapshot
from audits.rag import threshold_problems
from audits.services.common import apply_changes, check_fields, check_reference_free, require_text

logger = logging.getLogger(__name__)

KPI_FIELDS = (
    "reference",
    "name",
    "definition",
    "kind",
    "builtin_key",
    "unit",
    "direction",
    "target",
    "amber_threshold",
    "red_threshold",
    "owner",
    "objective",
    "is_active",
)
LIMIT = Decimal("999999999999")


def _check(organisation, data: dict, kpi: KPI | None) -> dict:
    data = dict(data)
    merged = {name: data.get(name, getattr(kpi, name, None)) for name in KPI_FIELDS if name != "reference"}
    if kpi is None or "name" in data:
        require_text(data.get("name"), field="name", message=_("Name the KPI."))
    kind = merged["kind"] or KPIKind.MANUAL
    if kind not in KPIKind.values:
        raise ServiceError(_("Choose how the KPI is measured."), field="kind")
    key = merged["builtin_key"] or ""
    if kind == KPIKind.BUILTIN:
        if key not in builtin_kpis.BUILTINS:
            raise ServiceError(_("Choose one of the built-in computations."), field="builtin_key")
        if KPI.objects.filter(organisation=organisation, builtin_key=key).exclude(pk=getattr(kpi, "pk", None)).exists():
            raise ServiceError(_("This computation is already in the register."), field="builtin_key")
    elif key:
        raise ServiceError(_("A manual KPI has no computation; choose 'computed from AIMS data'."), field="builtin_key")
    if kpi is not None and "kind" in data and data["kind"] != kpi.kind and kpi.snapshots.exists():
        raise ServiceError(
            _("The KPI has values: create a new KPI rather than changing how it is measured."), field="kind"
        )
    merged["direction"] = merged["direction"] or KPIDirection.HIGHER
    if merged["direction"] not in KPIDirection.values:
        raise ServiceError(_("Choose the direction."), field="direction")
    for name in ("target", "amber_threshold", "red_threshold"):
        if merged[name] is not None and abs(merged[name]) > LIMIT:
            raise ServiceError(_("This number is too large."), field=name)
    problems = threshold_problems(
        direction=merged["direction"],
        target=merged["target"],
        amber=merged["amber_threshold"],
        red=merged["red_threshold"],
    )
    if problems:
        raise ServiceError(problems)
    return data


@transaction.atomic
def kpi_create(*, actor, organisation, data: dict) -> KPI:
    """Add a KPI to the register."""
    check_fields(data, KPI_FIELDS)
    data = _check(organisation, data, None)
    check_reference_free(KPI, organisation, data.get("reference"))
    return apply_changes(KPI(organisation=organisation), data, actor=actor, reason="Defined", member_fields=("owner",))


@transaction.atomic
def kpi_add_builtin(*, actor, organisation, key: str, owner=None, objective=None) -> KPI:
    """Add a built-in KPI with its suggested definition, unit, direction and thresholds."""
    spec = builtin_kpis.BUILTINS.get(key)
    if spec is None:
        raise ServiceError(_("Choose one of the built-in computations."), field="builtin_key")
    return kpi_create(
        actor=actor,
        organisation=organisation,
        data={
            "name": spec.name,
            "definition": spec.definition,
            "kind": KPIKind.BUILTIN,
            "builtin_key": key,
            "unit": spec.unit,
            "direction": spec.direction,
            "target": spec.target,
            "amber_threshold": spec.amber,
            "red_threshold": spec.red,
            "owner": owner,
            "objective": objective,
        },
    )


@transaction.atomic
def kpi_update(*, actor, kpi: KPI, data: dict, reason: str = "Edited") -> KPI:
    """Edit a KPI; how it is measured no longer changes once it has values."""
    check_fields(data, KPI_FIELDS)
    current = KPI.objects.select_for_update().get(pk=kpi.pk)
    data = _check(current.organisation, data, current)
    check_reference_free(KPI, current.organisation, data.get("reference"), exclude_pk=current.pk)
    return apply_changes(current, data, actor=actor, reason=reason, member_fields=("owner",))


@transaction.atomic
def kpi_delete(*, actor, kpi: KPI) -> None:
    """Delete a KPI defined by mistake; one with values is made inactive instead, to keep its history."""
    if kpi.snapshots.exists():
        raise ServiceError(_("The KPI has values: mark it as not measured instead."), conflict=True)
    delete_with_history(kpi, actor=actor, reason="Deleted")


def _number(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ServiceError(_("Give a number."), field="value") from None
    if not number.is_finite() or abs(number) > LIMIT:
        raise ServiceError(_("Give a finite number of reasonable size."), field="value")
    return number.quantize(Decimal("0.0001"))


def _store(
    *,
    kpi: KPI,
    value: Decimal,
    taken_at: dt.datetime,
    source: str,
    actor=None,
    job: str = "",
    note: str = "",
    breakdown=None,
) -> KPISnapshot:
    zone = organisation_zone(kpi.organisation)
    snapshot = KPISnapshot(
        organisation=kpi.organisation,
        kpi=kpi,
        value=value,
        taken_at=taken_at,
        taken_on=taken_at.astimezone(zone).date(),
        source=source,
        taken_by=actor if source != SnapshotSource.JOB else None,
        job=job if source == SnapshotSource.JOB else "",
        note=(note or "")[:300],
        breakdown=breakdown or {},
    )
    snapshot.full_clean(exclude=["kpi", "organisation", "taken_by"])
    snapshot.save()
    _after_snapshot(kpi=kpi, snapshot=snapshot, actor=actor)
    return snapshot


def kpi_refresh_latest(kpi: KPI) -> list[dict]:
    """Copy the KPI's latest two values onto it (for lists, the dashboard and the review pack). Two queries."""
    latest = list(
        KPISnapshot.objects.filter(kpi=kpi).order_by("-taken_at", "-created_at").values("value", "taken_at")[:2]
    )
    kpi.last_value = latest[0]["value"] if latest else None
    kpi.last_taken_at = latest[0]["taken_at"] if latest else None
    kpi.previous_value = latest[1]["value"] if len(latest) > 1 else None
    KPI.objects.filter(pk=kpi.pk).update(
        last_value=kpi.last_value, last_taken_at=kpi.last_taken_at, previous_value=kpi.previous_value
    )
    return latest


def _after_snapshot(*, kpi: KPI, snapshot: KPISnapshot, actor) -> None:
    """Keep the KPI's latest two values, and pass the newest value on to the AI objective it measures."""
    latest = kpi_refresh_latest(kpi)
    if kpi.objective_id is None or not latest or latest[0]["taken_at"] != snapshot.taken_at:
        return
    from governance.constants import ObjectiveStatus
    from governance.services import objective_record_value

    objective = kpi.objective
    if objective.status != ObjectiveStatus.APPROVED:
        return
    measured_on = snapshot.taken_on
    if objective.measured_on and objective.measured_on > measured_on:
        return
    try:
        with transaction.atomic():
            objective_record_value(
                actor=actor,
                objective=objective,
                value=snapshot.value.quantize(Decimal("0.01")),
                measured_on=min(measured_on, timezone.localdate()),
                note=f"from {kpi.reference}",
            )
    except ServiceError as exc:  # the objective's own rules refused it; the KPI value stands
        logger.info("Objective %s not updated from %s: %s", objective.reference, kpi.reference, exc.messages)


@transaction.atomic
def kpi_record_value(
    *, actor, kpi: KPI, value, taken_at: dt.datetime | None = None, note: str = "", source: str = SnapshotSource.MANUAL
) -> KPISnapshot:
    """Record a value of a manual KPI (entered by its owner, or posted by an integration through the API)."""
    if kpi.is_builtin:
        raise ServiceError(_("This KPI is computed from AIMS data: take a snapshot instead."), conflict=True)
    if source not in (SnapshotSource.MANUAL, SnapshotSource.API):
        raise ServiceError(_("Unknown source."), field="source")
    now = timezone.now()
    taken_at = taken_at or now
    if taken_at > now + dt.timedelta(minutes=5):
        raise ServiceError(_("A value cannot be dated in the future."), field="taken_at")
    return _store(kpi=kpi, value=_number(value), taken_at=taken_at, source=source, actor=actor, note=note)


def kpi_snapshot_take(
    *, organisation, kpi: KPI | None = None, actor=None, source: str = SnapshotSource.MANUAL, job: str = "", now=None
) -> list[KPISnapshot]:
    """Compute and store the current value of one built-in KPI, or of every active built-in KPI.

    ``source="job"``: at most one snapshot per KPI and day (the organisation's day); an existing one is returned
    unchanged, so a job that runs twice, or two workers at once, leave one row. ``source="manual"``: always a new
    snapshot (an officer taking one on demand). A KPI with nothing to measure yet (no systems, no policies) gets
    no snapshot.
    """
    if source not in (SnapshotSource.MANUAL, SnapshotSource.JOB):
        raise ServiceError(_("Unknown source."), field="source")
    now = now or timezone.now()
    today = now.astimezone(organisation_zone(organisation)).date()
    if kpi is not None:
        if kpi.organisation_id != organisation.pk:
            raise ServiceError(_("Select a KPI of your own organisation."), field="kpi")
        if not kpi.is_builtin:
            raise ServiceError(_("A manual KPI's values are entered, not computed."), conflict=True)
        kpis = [kpi]
    else:
        kpis = list(
            KPI.objects.filter(organisation=organisation, kind=KPIKind.BUILTIN).active().select_related("objective")
        )
    taken = []
    for item in kpis:
        if source == SnapshotSource.JOB:
            existing = KPISnapshot.objects.filter(kpi=item, taken_on=today, source=SnapshotSource.JOB).first()
            if existing is not None:
                taken.append(existing)
                continue
        measure = builtin_kpis.compute(item.builtin_key, organisation, today)
        if measure.value is None:
            continue
        try:
            with transaction.atomic():
                taken.append(
                    _store(
                        kpi=item,
                        value=measure.value,
                        taken_at=now,
                        source=source,
                        actor=actor,
                        job=job or ("snapshot_kpis" if source == SnapshotSource.JOB else ""),
                        breakdown=measure.breakdown,
                    )
                )
        except IntegrityError:  # another worker took today's job snapshot first
            taken.append(KPISnapshot.objects.get(kpi=item, taken_on=today, source=SnapshotSource.JOB))
    return taken


def kpi_measure_now(kpi: KPI) -> builtin_kpis.Measure | None:
    """The live value of a built-in KPI (not stored), for the KPI page."""
    if not kpi.is_builtin or kpi.builtin_key not in builtin_kpis.BUILTINS:
        return None
    today = timezone.now().astimezone(organisation_zone(kpi.organisation)).date()
    return builtin_kpis.compute(kpi.builtin_key, kpi.organisation, today)
