"""Models, model versions and their evaluation metrics (Annex A.6.2.4, A.6.2.5)."""

import math

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.events import emit
from aims.permissions import can
from aims.services import (
    ServiceError,
    check_reference_free,
    check_same_organisation,
    create_record,
    delete_with_history,
    model_errors_as_service_errors,
    save_with_history,
    split_fields,
    update_record,
)
from registry.constants import (
    ApprovalStatus,
    DueDiligenceStatus,
    MetricComparison,
    inline_label,
)
from registry.models import (
    AIModel,
    AISystem,
    ModelMetric,
    ModelVersion,
)
from registry.services.inventory import ai_system_flag_reassessment

# --- Suppliers, datasets, models and model versions (Annex A.6.2, A.7, A.10) ----------------------------

OWNER_MEMBER_FIELDS = ("owner",)
_DUE_DILIGENCE_CONCLUDED = frozenset(
    {DueDiligenceStatus.APPROVED, DueDiligenceStatus.CONDITIONAL, DueDiligenceStatus.REJECTED}
)
APPROVAL_DECISIONS = (
    ApprovalStatus.APPROVED,
    ApprovalStatus.RESTRICTED,
    ApprovalStatus.REJECTED,
    ApprovalStatus.RETIRED,
)
# Changes that alter what a deployed system runs: the systems' assessments must be looked at again.
_MATERIAL_VERSION_CHANGES = frozenset({"version_label", "training_datasets", "metrics"})
_VERSION_PART_LABELS = {
    "version_label": "version label",
    "external_id": "external id",
    "description": "release notes",
    "training_datasets": "training datasets",
    "deployed_in": "deployments",
    "metrics": "metrics",
}


@transaction.atomic
def ai_model_create(*, actor, organisation, data: dict) -> AIModel:
    """Record a model the organisation trains or obtains; its versions are what systems deploy (Annex A.6.2)."""
    check_same_organisation(organisation, data)
    check_reference_free(AIModel, organisation, data.get("reference"))
    with model_errors_as_service_errors():
        return create_record(
            AIModel,
            actor=actor,
            organisation=organisation,
            data=data,
            reason="Registered",
            member_fields=OWNER_MEMBER_FIELDS,
        )


@transaction.atomic
def ai_model_update(*, actor, model: AIModel, data: dict, reason: str = "Edited") -> AIModel:
    check_same_organisation(model.organisation, data)
    check_reference_free(AIModel, model.organisation, data.get("reference"), exclude_pk=model.pk)
    with model_errors_as_service_errors():
        update_record(model, actor=actor, data=data, reason=reason, member_fields=OWNER_MEMBER_FIELDS)
    return model


@transaction.atomic
def ai_model_delete(*, actor, model: AIModel) -> None:
    """Delete a model and its versions, unless a version is still deployed in a system."""
    deployed = list(
        AISystem.objects.filter(model_versions__model=model).distinct().values_list("reference", flat=True)[:5]
    )
    if deployed:
        raise ServiceError(
            _("Versions of this model are deployed in %(systems)s: take them out of those systems first.")
            % {"systems": ", ".join(deployed)},
            conflict=True,
        )
    delete_with_history(model, actor=actor, reason="Deleted")


# Model versions and their metrics ---------------------------------------------------------------------


def _normalise_external_id(value) -> str | None:
    return (str(value).strip() if value is not None else "") or None


def _finite(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _clean_metrics(rows) -> dict[str, dict]:
    """Check metric rows ``[{name, value, threshold, comparison}]`` and return them by name."""
    cleaned: dict[str, dict] = {}
    errors: list[str] = []
    for row in rows:
        name = str(row.get("name") or "").strip()
        value, threshold = row.get("value"), row.get("threshold")
        comparison = row.get("comparison") or MetricComparison.AT_LEAST
        if not name:
            errors.append(_("Give every metric a name."))
            continue
        if len(name) > 100:
            errors.append(_("%(name)s…: keep metric names to 100 characters.") % {"name": name[:30]})
        if not _finite(value):
            errors.append(_("%(name)s: the value must be a number.") % {"name": name})
        if threshold is not None and not _finite(threshold):
            errors.append(_("%(name)s: the threshold must be a number, or left empty.") % {"name": name})
        if comparison not in MetricComparison.values:
            errors.append(_("%(name)s: compare with 'gte' (at least) or 'lte' (at most).") % {"name": name})
        if name in cleaned:
            errors.append(_("%(name)s is listed twice.") % {"name": name})
        cleaned[name] = {
            "value": float(value) if _finite(value) else None,
            "threshold": float(threshold) if _finite(threshold) else None,
            "comparison": comparison,
        }
    if errors:
        raise ServiceError({"metrics": errors})
    return cleaned


def _metric_rows(version: ModelVersion) -> dict[str, dict]:
    return {
        m.name: {"value": m.value, "threshold": m.threshold, "comparison": m.comparison}
        for m in ModelMetric.objects.filter(model_version=version)
    }


def _sync_metrics(*, actor, version: ModelVersion, metrics: dict[str, dict]) -> None:
    """Make the version's metrics exactly ``metrics`` (added, changed and removed rows each keep history)."""
    current = {m.name: m for m in ModelMetric.objects.filter(model_version=version)}
    for name, metric in current.items():
        if name not in metrics:
            delete_with_history(metric, actor=actor, reason="Metric removed")
    for name, values in metrics.items():
        metric = current.get(name)
        if metric is not None and all(getattr(metric, key) == value for key, value in values.items()):
            continue
        if metric is None:
            metric = ModelMetric(organisation=version.organisation, model_version=version, name=name)
        for key, value in values.items():
            setattr(metric, key, value)
        save_with_history(metric, actor=actor, reason="Metric recorded")


def _check_version_unique(organisation, *, model, version_label, external_id, exclude_pk=None) -> None:
    errors = {}
    siblings = ModelVersion.objects.filter(model=model, version_label=version_label).exclude(pk=exclude_pk)
    if model is not None and version_label and siblings.exists():
        errors["version_label"] = [
            _("%(model)s already has a version %(label)s.") % {"model": model.reference, "label": version_label}
        ]
    others = ModelVersion.objects.filter(organisation=organisation, external_id=external_id).exclude(pk=exclude_pk)
    if external_id and others.exists():
        errors["external_id"] = [
            _("Another version already has the external id %(external_id)s.") % {"external_id": external_id}
        ]
    if errors:
        raise ServiceError(errors)


def _flag_for_reassessment(*, actor, systems, reason: str) -> None:
    """Flag each system for reassessment, keeping reasons already pending (clauses 8.2 and 8.4 ask for the
    risk and impact assessments to be looked at again when a significant change occurs)."""
    for system in {s.pk: s for s in systems}.values():
        pending = system.reassessment_reason if system.reassessment_required else ""
        if reason in pending:
            continue
        ai_system_flag_reassessment(actor=actor, system=system, reason=f"{pending}; {reason}" if pending else reason)


def _systems_running(version: ModelVersion) -> list[AISystem]:
    return list(AISystem.objects.filter(model_versions=version))


@transaction.atomic
def model_version_create(*, actor, organisation, data: dict, reason: str = "Registered") -> ModelVersion:
    """Record a new version of a model: training data, deployments and evaluation metrics (Annex A.6.2.4).

    ``data["metrics"]`` (optional): ``[{name, value, threshold, comparison}]``. Every system that runs the model
    (any of its versions, this one included) is flagged for reassessment.
    """
    data = dict(data)
    metrics = data.pop("metrics", None)
    data.pop("approval_status", None)
    data["external_id"] = _normalise_external_id(data.get("external_id"))
    data["version_label"] = (data.get("version_label") or "").strip()
    model = data.get("model")
    if model is None:
        raise ServiceError(_("Choose the model this version belongs to."), field="model")
    check_same_organisation(organisation, data)
    _check_version_unique(
        organisation, model=model, version_label=data["version_label"], external_id=data["external_id"]
    )
    cleaned = _clean_metrics(metrics) if metrics is not None else {}
    with model_errors_as_service_errors():
        version = create_record(ModelVersion, actor=actor, organisation=organisation, data=data, reason=reason)
        _sync_metrics(actor=actor, version=version, metrics=cleaned)
    running = AISystem.objects.filter(model_versions__model=model).distinct()
    _flag_for_reassessment(
        actor=actor, systems=running, reason=f"New version {version.version_label} of model {model.reference}"
    )
    emit(organisation, "model_version.registered", {"model_version": version, "model": model})
    return version


def _model_version_apply(*, actor, version: ModelVersion, data: dict, reason: str) -> list[str]:
    """Apply ``data`` to ``version``; returns what changed. Nothing changed → nothing is written."""
    data = dict(data)
    metrics = data.pop("metrics", None)
    data.pop("approval_status", None)
    if "external_id" in data:
        data["external_id"] = _normalise_external_id(data["external_id"])
    if "version_label" in data:
        data["version_label"] = (data["version_label"] or "").strip()
    check_same_organisation(version.organisation, data)
    model = data.pop("model", None)
    if model is not None and model.pk != version.model_id:
        raise ServiceError(
            _("This version belongs to %(model)s; register a new version of the other model instead.")
            % {"model": version.model.reference},
            field="model",
        )
    _check_version_unique(
        version.organisation,
        model=version.model,
        version_label=data.get("version_label", version.version_label),
        external_id=data.get("external_id", version.external_id),
        exclude_pk=version.pk,
    )
    cleaned = _clean_metrics(metrics) if metrics is not None else None
    plain, m2m = split_fields(ModelVersion, data)
    changed = [name for name, value in plain.items() if getattr(version, name) != value]
    changed += [
        name
        for name, values in m2m.items()
        if set(getattr(version, name).values_list("pk", flat=True)) != {v.pk for v in values}
    ]
    if cleaned is not None and cleaned != _metric_rows(version):
        changed.append("metrics")
    if not changed:
        return []
    before = _systems_running(version)
    for name, value in plain.items():
        setattr(version, name, value)
    parts = ", ".join(_VERSION_PART_LABELS.get(name, name) for name in changed)
    with model_errors_as_service_errors():
        save_with_history(version, actor=actor, reason=f"{reason}: {parts}")
        for name in m2m:
            if name in changed:
                getattr(version, name).set(m2m[name])
        if "metrics" in changed:
            _sync_metrics(actor=actor, version=version, metrics=cleaned)
    after = _systems_running(version)
    label = f"{version.model.reference} {version.version_label}"
    if set(changed) & _MATERIAL_VERSION_CHANGES:
        _flag_for_reassessment(actor=actor, systems=[*before, *after], reason=f"Model version {label} changed")
    elif "deployed_in" in changed:
        before_ids, after_ids = {s.pk for s in before}, {s.pk for s in after}
        added = [s for s in after if s.pk not in before_ids]
        removed = [s for s in before if s.pk not in after_ids]
        _flag_for_reassessment(actor=actor, systems=added, reason=f"Model version {label} deployed")
        _flag_for_reassessment(actor=actor, systems=removed, reason=f"Model version {label} withdrawn")
    return changed


@transaction.atomic
def model_version_update(*, actor, version: ModelVersion, data: dict, reason: str = "Edited") -> ModelVersion:
    """Edit a version; nothing changed → nothing saved.

    A new label, training data or metrics flags every system running the version; deploying it in a system or
    withdrawing it flags the systems concerned.
    """
    _model_version_apply(actor=actor, version=version, data=data, reason=reason)
    return version


@transaction.atomic
def model_version_upsert_by_external_id(
    *, actor, organisation, external_id: str, data: dict
) -> tuple[ModelVersion, bool]:
    """Create or update the version an MLOps pipeline knows as ``external_id``; returns ``(version, created)``.

    Idempotent: the same body sent again writes nothing (no history row, no new reassessment flag). Lists left
    out of ``data`` (training datasets, deployments, metrics) keep their values. A version recorded by hand with
    the same model and label and no external id yet is adopted rather than duplicated.
    """
    external_id = _normalise_external_id(external_id)
    if not external_id:
        raise ServiceError(_("Give the external id."), field="external_id")
    if len(external_id) > 200:
        raise ServiceError(_("Keep the external id to 200 characters."), field="external_id")
    data = {key: value for key, value in data.items() if key != "external_id"}
    check_same_organisation(organisation, data)
    versions = ModelVersion.objects.select_for_update().filter(organisation=organisation)
    version = versions.filter(external_id=external_id).first()
    model = data.get("model")
    if version is None and model is not None:
        label = (data.get("version_label") or "").strip()
        version = versions.filter(model=model, version_label=label, external_id__isnull=True).first()
    if version is None:
        created = model_version_create(
            actor=actor,
            organisation=organisation,
            data={**data, "external_id": external_id},
            reason="Registered by the integration",
        )
        return created, True
    _model_version_apply(
        actor=actor, version=version, data={**data, "external_id": external_id}, reason="Updated by the integration"
    )
    return version, False


@transaction.atomic
def model_version_approve(
    *, actor, version: ModelVersion, status: str = ApprovalStatus.APPROVED, note: str = ""
) -> ModelVersion:
    """Record the decision on a version (approved, approved with restrictions, rejected, retired), with who
    decided and when (Annex A.6.2.4 verification and validation before release).

    A version whose metrics miss a threshold can be approved only with restrictions.
    """
    if not can(actor, "approve", version, version.organisation):
        raise PermissionDenied(_("Only a member who may approve can decide on a model version."))
    if status not in APPROVAL_DECISIONS:
        raise ServiceError(_("Choose approved, restricted, rejected or retired."), field="status")
    current = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if current.approval_status == status:
        raise ServiceError(
            _("The version is already %(status)s.") % {"status": inline_label(current.get_approval_status_display())},
            conflict=True,
        )
    if status == ApprovalStatus.APPROVED:
        failing = [m.name for m in ModelMetric.objects.filter(model_version=version) if m.passed is False]
        if failing:
            raise ServiceError(
                _(
                    "These metrics miss their threshold: %(metrics)s. Approve with restrictions, "
                    "or record passing results first."
                )
                % {"metrics": ", ".join(failing)},
                field="status",
            )
    version.approval_status = status
    version.approved_by = actor
    version.approved_at = timezone.now()
    reason = ApprovalStatus(status).label + (f": {note.strip()}" if note and note.strip() else "")
    return save_with_history(
        version,
        actor=actor,
        reason=reason,
        update_fields=["approval_status", "approved_by", "approved_at", "updated_at"],
    )


@transaction.atomic
def model_version_delete(*, actor, version: ModelVersion) -> None:
    """Delete a version, unless it is still deployed in a system."""
    deployed = [s.reference for s in _systems_running(version)]
    if deployed:
        raise ServiceError(
            _("This version is deployed in %(systems)s: take it out of those systems first.")
            % {"systems": ", ".join(deployed)},
            conflict=True,
        )
    delete_with_history(version, actor=actor, reason="Deleted")


@transaction.atomic
def model_metric_save(
    *, actor, version: ModelVersion, name: str, value, threshold=None, comparison: str = MetricComparison.AT_LEAST
) -> ModelMetric:
    """Add a metric row to a version, or update the row of that name (a change flags the systems running it)."""
    row = _clean_metrics([{"name": name, "value": value, "threshold": threshold, "comparison": comparison}])
    rows = {**_metric_rows(version), **row}
    _model_version_apply(
        actor=actor,
        version=version,
        data={"metrics": [{"name": key, **values} for key, values in rows.items()]},
        reason="Metrics edited",
    )
    return ModelMetric.objects.get(model_version=version, name=next(iter(row)))


@transaction.atomic
def model_metric_remove(*, actor, metric: ModelMetric) -> None:
    version = metric.model_version
    rows = {key: values for key, values in _metric_rows(version).items() if key != metric.name}
    _model_version_apply(
        actor=actor,
        version=version,
        data={"metrics": [{"name": key, **values} for key, values in rows.items()]},
        reason="Metrics edited",
    )
