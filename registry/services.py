"""Every change to the inventory goes through these functions (views, API, imports, seed, tasks)."""

import datetime as dt
import math
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Organisation
from aims.permissions import can
from aims.services import (
    ServiceError,
    check_same_organisation,
    create_record,
    delete_with_history,
    save_with_history,
    split_fields,
    update_record,
)
from registry.classification import InvalidAnswers, classify, parse_answers
from registry.constants import (
    ApprovalStatus,
    DatasetPurpose,
    DataSource,
    DeploymentStatus,
    DueDiligenceStatus,
    LegalBasis,
    MetricComparison,
    ScopeStatus,
)
from registry.models import (
    AIModel,
    AISystem,
    Classification,
    ContextIssue,
    Dataset,
    DatasetUsage,
    InterestedParty,
    ModelMetric,
    ModelVersion,
    ScopeStatement,
    Supplier,
)

AI_SYSTEM_MEMBER_FIELDS = ("business_owner", "technical_owner")


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def ai_system_next_review(system: AISystem) -> dt.date:
    """Next review = last review (or, before any, the creation date) + the review cadence."""
    start = system.last_reviewed or (system.created_at.date() if system.created_at else timezone.localdate())
    return add_months(start, system.review_cadence_months)


def _validate_ai_system(system: AISystem) -> None:
    if not (system.scope_justification or "").strip():
        raise ServiceError(
            "Say why the system is in or out of the AIMS scope: an auditor asks either way.",
            field="scope_justification",
        )
    if system.deployment_status == DeploymentStatus.PRODUCTION and system.deployment_date is None:
        raise ServiceError("A system in production needs its deployment date.", field="deployment_date")
    if system.review_cadence_months < 1 or system.review_cadence_months > 60:
        raise ServiceError("Choose a review cadence between 1 and 60 months.", field="review_cadence_months")


@transaction.atomic
def ai_system_register(*, actor, organisation, data: dict) -> AISystem:
    """Register a new AI system in the inventory (Annex A.4.2 resources; A.6 life cycle)."""
    plain, _ = split_fields(AISystem, data)
    probe = AISystem(organisation=organisation, **plain)
    _validate_ai_system(probe)
    next_review = add_months(probe.last_reviewed or timezone.localdate(), probe.review_cadence_months)
    return create_record(
        AISystem,
        actor=actor,
        organisation=organisation,
        data={**data, "next_review": next_review},
        reason="Registered",
        member_fields=AI_SYSTEM_MEMBER_FIELDS,
    )


@transaction.atomic
def ai_system_update(*, actor, system: AISystem, data: dict, reason: str = "Edited") -> AISystem:
    if system.pk in [s.pk for s in data.get("depends_on", [])]:
        raise ServiceError("A system cannot depend on itself.", field="depends_on")
    for name, value in data.items():
        if name not in ("suppliers", "depends_on"):
            setattr(system, name, value)
    _validate_ai_system(system)
    system.next_review = ai_system_next_review(system)
    data = {**data, "next_review": system.next_review}
    update_record(system, actor=actor, data=data, reason=reason, member_fields=AI_SYSTEM_MEMBER_FIELDS)
    return system


@transaction.atomic
def ai_system_delete(*, actor, system: AISystem) -> None:
    delete_with_history(system, actor=actor, reason="Deleted")


@transaction.atomic
def ai_system_flag_reassessment(*, actor, system: AISystem, reason: str) -> AISystem:
    """Mark a system for reassessment (a new or changed model version, a changed purpose)."""
    system.reassessment_required = True
    system.reassessment_reason = reason
    return save_with_history(
        system,
        actor=actor,
        reason=f"Reassessment required: {reason}",
        update_fields=["reassessment_required", "reassessment_reason", "updated_at"],
    )


@transaction.atomic
def ai_system_mark_reviewed(*, actor, system: AISystem, reviewed_on: dt.date | None = None) -> AISystem:
    """Record a completed review: moves the next review date by the cadence and clears the reassessment flag."""
    system.last_reviewed = reviewed_on or timezone.localdate()
    system.next_review = ai_system_next_review(system)
    system.reassessment_required = False
    system.reassessment_reason = ""
    return save_with_history(system, actor=actor, reason="Reviewed")


# --- AIMS scope, context issues and interested parties (ISO/IEC 42001 clauses 4.1–4.3) ---------------

SCOPE_FIELDS = ("boundaries", "units", "locations", "ai_roles", "exclusions")
CONTEXT_MEMBER_FIELDS = ("owner",)


@contextmanager
def _model_errors_as_service_errors():
    """A model check that fails in ``full_clean`` (a text too long, a bad choice) reads as a ServiceError,
    so forms show it on the field and the API answers 400 instead of 500."""
    try:
        yield
    except ServiceError:
        raise
    except ValidationError as exc:
        raise ServiceError(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}) from exc


def _check_reference_free(model_cls, organisation, reference, *, exclude_pk=None) -> None:
    """A reference given by hand must not be one the organisation already uses (CTX-004 twice)."""
    if not reference:
        return
    taken = model_cls.objects.filter(organisation=organisation, reference=reference).exclude(pk=exclude_pk)
    if taken.exists():
        raise ServiceError(f"{reference} is already used in this organisation.", field="reference")


def _lock_scope_versions(organisation) -> None:
    """Serialise scope versioning per organisation: two drafts or two approvals never race."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()


def _validate_scope(scope: ScopeStatement) -> None:
    if not (scope.boundaries or "").strip():
        raise ServiceError(
            "Describe the boundaries of the AIMS: the activities, products and AI systems it covers. "
            "Exclusions are read against these boundaries.",
            field="boundaries",
        )


def _locked_scope(scope: ScopeStatement) -> ScopeStatement:
    """Re-read the scope under a row lock, so a status checked here is the status saved."""
    return ScopeStatement.objects.select_for_update().get(pk=scope.pk)


@transaction.atomic
def scope_draft_create(*, actor, organisation, data: dict) -> ScopeStatement:
    """Start the next version of the AIMS scope (clause 4.3) as a draft: the highest version + 1.

    One draft at a time: a second draft would fork the scope. The UI prefills the draft from the current
    approved version (``selectors.scope_draft_initial``); only the scope texts are taken from ``data``.
    """
    _lock_scope_versions(organisation)
    versions = ScopeStatement.objects.filter(organisation=organisation)
    draft = versions.filter(status=ScopeStatus.DRAFT).first()
    if draft is not None:
        raise ServiceError(
            f"Version {draft.version} is already a draft in progress: edit or approve it first.", conflict=True
        )
    version = (versions.aggregate(top=Max("version"))["top"] or 0) + 1
    fields = {name: data[name] for name in SCOPE_FIELDS if name in data}
    scope = ScopeStatement(organisation=organisation, version=version, status=ScopeStatus.DRAFT, **fields)
    _validate_scope(scope)
    with _model_errors_as_service_errors():
        save_with_history(scope, actor=actor, reason=f"Draft of version {version} started")
    return scope


@transaction.atomic
def scope_update(*, actor, scope: ScopeStatement, data: dict, reason: str = "Draft edited") -> ScopeStatement:
    """Edit a draft scope. An approved or superseded version is a record of what was agreed: never edited."""
    current = _locked_scope(scope)
    if current.status != ScopeStatus.DRAFT:
        raise ServiceError(
            f"Version {current.version} is {current.get_status_display().lower()} and cannot be edited: "
            "start a new version instead.",
            conflict=True,
        )
    for name in SCOPE_FIELDS:
        if name in data:
            setattr(scope, name, data[name])
    scope.status = current.status
    _validate_scope(scope)
    with _model_errors_as_service_errors():
        save_with_history(scope, actor=actor, reason=reason)
    return scope


@transaction.atomic
def scope_approve(*, actor, scope: ScopeStatement) -> ScopeStatement:
    """Approve a draft scope: it becomes the current scope and the previously approved one is superseded.

    Records who approved it and when (clause 4.3 asks for the scope as documented information; clause
    7.5.2 for its review and approval).
    """
    if not can(actor, "approve", scope, scope.organisation):
        raise PermissionDenied("Only a member who may approve can approve the AIMS scope.")
    _lock_scope_versions(scope.organisation)
    current = _locked_scope(scope)
    if current.status != ScopeStatus.DRAFT:
        raise ServiceError(
            f"Version {current.version} is {current.get_status_display().lower()}: only a draft can be approved.",
            conflict=True,
        )
    _validate_scope(current)
    previous = ScopeStatement.objects.filter(organisation=current.organisation, status=ScopeStatus.APPROVED).exclude(
        pk=current.pk
    )
    for old in previous:
        old.status = ScopeStatus.SUPERSEDED
        save_with_history(
            old, actor=actor, reason=f"Superseded by version {current.version}", update_fields=["status", "updated_at"]
        )
    current.status = ScopeStatus.APPROVED
    current.approved_by = actor
    current.approved_at = timezone.now()
    save_with_history(
        current, actor=actor, reason="Approved", update_fields=["status", "approved_by", "approved_at", "updated_at"]
    )
    # The caller's instance shows the approval too.
    scope.status, scope.approved_by, scope.approved_at = current.status, current.approved_by, current.approved_at
    return current


@transaction.atomic
def scope_draft_delete(*, actor, scope: ScopeStatement) -> None:
    """Discard a draft. Approved and superseded versions are kept: they show how the scope evolved."""
    current = _locked_scope(scope)
    if current.status != ScopeStatus.DRAFT:
        raise ServiceError(
            f"Version {current.version} is {current.get_status_display().lower()}; only a draft can be deleted.",
            conflict=True,
        )
    delete_with_history(current, actor=actor, reason="Draft discarded")


@transaction.atomic
def context_issue_create(*, actor, organisation, data: dict) -> ContextIssue:
    """Record an internal or external issue and its effect on the AIMS (clause 4.1)."""
    _check_reference_free(ContextIssue, organisation, data.get("reference"))
    with _model_errors_as_service_errors():
        return create_record(
            ContextIssue,
            actor=actor,
            organisation=organisation,
            data=data,
            reason="Recorded",
            member_fields=CONTEXT_MEMBER_FIELDS,
        )


@transaction.atomic
def context_issue_update(*, actor, issue: ContextIssue, data: dict, reason: str = "Edited") -> ContextIssue:
    _check_reference_free(ContextIssue, issue.organisation, data.get("reference"), exclude_pk=issue.pk)
    with _model_errors_as_service_errors():
        update_record(issue, actor=actor, data=data, reason=reason, member_fields=CONTEXT_MEMBER_FIELDS)
    return issue


@transaction.atomic
def context_issue_delete(*, actor, issue: ContextIssue) -> None:
    delete_with_history(issue, actor=actor, reason="Deleted")


def _validate_interested_party(*, addressed: bool, how_addressed: str) -> None:
    if addressed and not (how_addressed or "").strip():
        raise ServiceError(
            "Say how the AIMS addresses these requirements (a policy, a control, a process).", field="how_addressed"
        )


@transaction.atomic
def interested_party_create(*, actor, organisation, data: dict) -> InterestedParty:
    """Record an interested party, its relevant requirements and whether the AIMS addresses them (clause 4.2)."""
    _validate_interested_party(addressed=data.get("addressed", False), how_addressed=data.get("how_addressed", ""))
    _check_reference_free(InterestedParty, organisation, data.get("reference"))
    with _model_errors_as_service_errors():
        return create_record(
            InterestedParty,
            actor=actor,
            organisation=organisation,
            data=data,
            reason="Recorded",
            member_fields=CONTEXT_MEMBER_FIELDS,
        )


@transaction.atomic
def interested_party_update(*, actor, party: InterestedParty, data: dict, reason: str = "Edited") -> InterestedParty:
    _validate_interested_party(
        addressed=data.get("addressed", party.addressed), how_addressed=data.get("how_addressed", party.how_addressed)
    )
    _check_reference_free(InterestedParty, party.organisation, data.get("reference"), exclude_pk=party.pk)
    with _model_errors_as_service_errors():
        update_record(party, actor=actor, data=data, reason=reason, member_fields=CONTEXT_MEMBER_FIELDS)
    return party


@transaction.atomic
def interested_party_delete(*, actor, party: InterestedParty) -> None:
    delete_with_history(party, actor=actor, reason="Deleted")


# EU AI Act classification ----------------------------------------------------------------------------


@transaction.atomic
def ai_system_classify(*, actor, system: AISystem, answers: dict) -> Classification:
    """Classify ``system`` under the EU AI Act from the questionnaire ``answers`` (Regulation (EU) 2024/1689).

    The decision is ``registry.classification.classify``; this records it as a new ``Classification`` (earlier
    ones stay, as history) and copies the tier to ``system.eu_tier`` for filtering. Knowing the legal
    obligations that apply to each system is part of the organisation's context (ISO/IEC 42001 clause 4.1).
    Missing ``operator_role`` defaults to the system's own role. Unknown questions or answers raise
    ``ServiceError`` naming each field; nothing is saved then.
    """
    if not isinstance(answers, dict):
        raise ServiceError("Send the answers as an object of question: answer.")
    try:
        parsed = parse_answers({"operator_role": system.operator_role, **answers})
    except InvalidAnswers as exc:
        raise ServiceError(exc.errors) from exc
    result = classify(parsed)
    classification = Classification(
        organisation=system.organisation,
        ai_system=system,
        answers=parsed.as_dict(),
        tier=result.tier,
        basis=result.basis,
        operator_role=result.operator_role,
        obligations=result.obligations_data(),
        reasons=result.reasons_data(),
        classified_by=actor,
    )
    classification._history_user = actor
    classification._change_reason = "Classified"
    # An importer of a minimal-risk system has no obligations: an empty list is a valid result here.
    classification.full_clean(exclude=["obligations"])
    classification.save()
    system.eu_tier = result.tier
    save_with_history(
        system,
        actor=actor,
        reason=f"Classified under the EU AI Act: {classification.get_tier_display()}",
        update_fields=["eu_tier", "updated_at"],
    )
    return classification


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


def _probe(model_cls, data: dict, *, organisation=None, instance=None):
    """An unsaved copy of the record with ``data`` applied, to check rules across fields before any write."""
    plain, _ = split_fields(model_cls, data)
    if instance is None:
        return model_cls(organisation=organisation, **plain)
    probe = model_cls(**{f.attname: getattr(instance, f.attname) for f in model_cls._meta.concrete_fields})
    for name, value in plain.items():
        setattr(probe, name, value)
    return probe


# Suppliers ---------------------------------------------------------------------------------------------


def _validate_supplier(supplier: Supplier) -> None:
    if supplier.due_diligence_status in _DUE_DILIGENCE_CONCLUDED and supplier.due_diligence_date is None:
        raise ServiceError("Give the date the due diligence was concluded.", field="due_diligence_date")


@transaction.atomic
def supplier_create(*, actor, organisation, data: dict) -> Supplier:
    """Record a supplier of models, data, platforms or services and its due diligence (Annex A.10.3).

    ``data["ai_systems"]`` (optional) links the AI systems that depend on the supplier.
    """
    data = dict(data)
    systems = data.pop("ai_systems", None)
    check_same_organisation(organisation, {**data, "ai_systems": systems or []})
    _validate_supplier(_probe(Supplier, data, organisation=organisation))
    _check_reference_free(Supplier, organisation, data.get("reference"))
    with _model_errors_as_service_errors():
        supplier = create_record(
            Supplier,
            actor=actor,
            organisation=organisation,
            data=data,
            reason="Registered",
            member_fields=OWNER_MEMBER_FIELDS,
        )
    if systems is not None:
        supplier.ai_systems.set(systems)
    return supplier


@transaction.atomic
def supplier_update(*, actor, supplier: Supplier, data: dict, reason: str = "Edited") -> Supplier:
    data = dict(data)
    systems = data.pop("ai_systems", None)
    check_same_organisation(supplier.organisation, {**data, "ai_systems": systems or []})
    _validate_supplier(_probe(Supplier, data, instance=supplier))
    _check_reference_free(Supplier, supplier.organisation, data.get("reference"), exclude_pk=supplier.pk)
    with _model_errors_as_service_errors():
        update_record(supplier, actor=actor, data=data, reason=reason, member_fields=OWNER_MEMBER_FIELDS)
    if systems is not None:
        supplier.ai_systems.set(systems)
    return supplier


@transaction.atomic
def supplier_delete(*, actor, supplier: Supplier) -> None:
    """Delete a supplier, unless datasets still say they come from it (their provenance would be lost)."""
    sourced = list(supplier.datasets.filter(source=DataSource.SUPPLIER).values_list("reference", flat=True)[:5])
    if sourced:
        raise ServiceError(
            f"{', '.join(sourced)} come from this supplier: change their source or supplier first.", conflict=True
        )
    delete_with_history(supplier, actor=actor, reason="Deleted")


# Datasets ----------------------------------------------------------------------------------------------


def _validate_dataset(dataset: Dataset) -> None:
    """Rules across fields: a named supplier for supplier data; a lawful basis for personal data (GDPR Art. 6, 9)."""
    errors: dict[str, list[str]] = {}
    if dataset.source == DataSource.SUPPLIER and dataset.supplier_id is None:
        errors["supplier"] = ["Name the supplier this dataset comes from."]
    if dataset.contains_special_category_data and not dataset.contains_personal_data:
        errors["contains_personal_data"] = ["Special-category data is personal data: tick this as well."]
    if dataset.legal_basis == LegalBasis.NOT_APPLICABLE:
        if dataset.contains_special_category_data:
            errors["legal_basis"] = [
                "Special-category data needs a legal basis (and an Art. 9 condition): 'not applicable' is not one."
            ]
        elif dataset.contains_personal_data:
            errors["legal_basis"] = ["Personal data needs a legal basis: 'not applicable' is not one."]
    if errors:
        raise ServiceError(errors)


def _check_lineage(dataset: Dataset, parents) -> None:
    """A dataset is not derived from itself, directly or through its ancestors (Annex A.7.5 provenance)."""
    parent_ids = {parent.pk for parent in parents}
    if dataset.pk in parent_ids:
        raise ServiceError("A dataset cannot be derived from itself.", field="derived_from")
    links = Dataset.derived_from.through.objects
    seen: set = set()
    frontier = parent_ids
    while frontier:
        seen |= frontier
        frontier = set(links.filter(from_dataset_id__in=frontier).values_list("to_dataset_id", flat=True)) - seen
        if dataset.pk in frontier:
            raise ServiceError(
                f"The lineage would go round in a circle: one of these datasets is derived from {dataset.reference}.",
                field="derived_from",
            )


def _wanted_usages(organisation, usages) -> dict:
    """``[{"ai_system": AISystem, "purpose": "training"}, ...]`` checked and keyed by (system id, purpose)."""
    wanted = {}
    for item in usages:
        system, purpose = item.get("ai_system"), item.get("purpose")
        if system is None or getattr(system, "organisation_id", None) != organisation.pk:
            raise ServiceError("Select a system of your own organisation.", field="usages")
        if purpose not in DatasetPurpose.values:
            raise ServiceError(f"Choose a purpose among: {', '.join(DatasetPurpose.values)}.", field="usages")
        wanted[(system.pk, purpose)] = (system, purpose)
    return wanted


def _create_usage(*, actor, dataset: Dataset, ai_system: AISystem, purpose: str) -> DatasetUsage:
    usage = DatasetUsage(organisation=dataset.organisation, dataset=dataset, ai_system=ai_system, purpose=purpose)
    reason = f"Used for {usage.get_purpose_display().lower()} in {ai_system.reference}"
    return save_with_history(usage, actor=actor, reason=reason)


def _sync_usages(*, actor, dataset: Dataset, usages) -> None:
    wanted = _wanted_usages(dataset.organisation, usages)
    current = {(u.ai_system_id, u.purpose): u for u in DatasetUsage.objects.filter(dataset=dataset)}
    for key, usage in current.items():
        if key not in wanted:
            delete_with_history(usage, actor=actor, reason="Usage removed")
    for key, (system, purpose) in wanted.items():
        if key not in current:
            _create_usage(actor=actor, dataset=dataset, ai_system=system, purpose=purpose)


@transaction.atomic
def dataset_create(*, actor, organisation, data: dict) -> Dataset:
    """Record a dataset with its provenance, quality, legal basis and lineage (Annex A.7.2–A.7.6).

    ``data["usages"]`` (optional) lists the systems using it: ``[{"ai_system": system, "purpose": "training"}]``.
    """
    data = dict(data)
    usages = data.pop("usages", None)
    check_same_organisation(organisation, data)
    _validate_dataset(_probe(Dataset, data, organisation=organisation))
    _check_reference_free(Dataset, organisation, data.get("reference"))
    if usages is not None:
        _wanted_usages(organisation, usages)
    with _model_errors_as_service_errors():
        dataset = create_record(
            Dataset,
            actor=actor,
            organisation=organisation,
            data=data,
            reason="Registered",
            member_fields=OWNER_MEMBER_FIELDS,
        )
    if usages:
        _sync_usages(actor=actor, dataset=dataset, usages=usages)
    return dataset


@transaction.atomic
def dataset_update(*, actor, dataset: Dataset, data: dict, reason: str = "Edited") -> Dataset:
    """Edit a dataset. ``data["usages"]``, when given, replaces the list of systems using it."""
    data = dict(data)
    usages = data.pop("usages", None)
    check_same_organisation(dataset.organisation, data)
    if "derived_from" in data:
        _check_lineage(dataset, data["derived_from"])
    _validate_dataset(_probe(Dataset, data, instance=dataset))
    _check_reference_free(Dataset, dataset.organisation, data.get("reference"), exclude_pk=dataset.pk)
    if usages is not None:
        _wanted_usages(dataset.organisation, usages)
    with _model_errors_as_service_errors():
        update_record(dataset, actor=actor, data=data, reason=reason, member_fields=OWNER_MEMBER_FIELDS)
    if usages is not None:
        _sync_usages(actor=actor, dataset=dataset, usages=usages)
    return dataset


@transaction.atomic
def dataset_delete(*, actor, dataset: Dataset) -> None:
    """Delete a dataset, unless model versions were trained on it or datasets derive from it (lineage)."""
    trained = [str(v) for v in dataset.trained_versions.select_related("model")[:5]]
    if trained:
        raise ServiceError(
            f"{', '.join(trained)} {'was' if len(trained) == 1 else 'were'} trained on this dataset: "
            "remove it from their training data first.",
            conflict=True,
        )
    derivatives = list(dataset.derivatives.values_list("reference", flat=True)[:5])
    if derivatives:
        raise ServiceError(
            f"{', '.join(derivatives)} {'is' if len(derivatives) == 1 else 'are'} derived from this dataset: "
            "change their lineage first.",
            conflict=True,
        )
    delete_with_history(dataset, actor=actor, reason="Deleted")


@transaction.atomic
def dataset_usage_add(*, actor, dataset: Dataset, ai_system: AISystem, purpose: str) -> DatasetUsage:
    """Record that ``ai_system`` uses ``dataset`` for training, validation, test or as operational input."""
    if ai_system.organisation_id != dataset.organisation_id:
        raise ServiceError("Select a system of your own organisation.", field="ai_system")
    if purpose not in DatasetPurpose.values:
        raise ServiceError("Choose what the system uses the dataset for.", field="purpose")
    if DatasetUsage.objects.filter(dataset=dataset, ai_system=ai_system, purpose=purpose).exists():
        label = DatasetPurpose(purpose).label.lower()
        raise ServiceError(f"{ai_system.reference} already uses this dataset for {label}.", field="purpose")
    return _create_usage(actor=actor, dataset=dataset, ai_system=ai_system, purpose=purpose)


@transaction.atomic
def dataset_usage_remove(*, actor, usage: DatasetUsage) -> None:
    delete_with_history(
        usage,
        actor=actor,
        reason=f"No longer used for {usage.get_purpose_display().lower()} in {usage.ai_system.reference}",
    )


# Models ------------------------------------------------------------------------------------------------


@transaction.atomic
def ai_model_create(*, actor, organisation, data: dict) -> AIModel:
    """Record a model the organisation trains or obtains; its versions are what systems deploy (Annex A.6.2)."""
    check_same_organisation(organisation, data)
    _check_reference_free(AIModel, organisation, data.get("reference"))
    with _model_errors_as_service_errors():
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
    _check_reference_free(AIModel, model.organisation, data.get("reference"), exclude_pk=model.pk)
    with _model_errors_as_service_errors():
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
            f"Versions of this model are deployed in {', '.join(deployed)}: take them out of those systems first.",
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
            errors.append("Give every metric a name.")
            continue
        if len(name) > 100:
            errors.append(f"{name[:30]}…: keep metric names to 100 characters.")
        if not _finite(value):
            errors.append(f"{name}: the value must be a number.")
        if threshold is not None and not _finite(threshold):
            errors.append(f"{name}: the threshold must be a number, or left empty.")
        if comparison not in MetricComparison.values:
            errors.append(f"{name}: compare with 'gte' (at least) or 'lte' (at most).")
        if name in cleaned:
            errors.append(f"{name} is listed twice.")
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
        errors["version_label"] = [f"{model.reference} already has a version {version_label}."]
    others = ModelVersion.objects.filter(organisation=organisation, external_id=external_id).exclude(pk=exclude_pk)
    if external_id and others.exists():
        errors["external_id"] = [f"Another version already has the external id {external_id}."]
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
        raise ServiceError("Choose the model this version belongs to.", field="model")
    check_same_organisation(organisation, data)
    _check_version_unique(
        organisation, model=model, version_label=data["version_label"], external_id=data["external_id"]
    )
    cleaned = _clean_metrics(metrics) if metrics is not None else {}
    with _model_errors_as_service_errors():
        version = create_record(ModelVersion, actor=actor, organisation=organisation, data=data, reason=reason)
        _sync_metrics(actor=actor, version=version, metrics=cleaned)
    running = AISystem.objects.filter(model_versions__model=model).distinct()
    _flag_for_reassessment(
        actor=actor, systems=running, reason=f"New version {version.version_label} of model {model.reference}"
    )
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
            f"This version belongs to {version.model.reference}; register a new version of the other model instead.",
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
    with _model_errors_as_service_errors():
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
        raise ServiceError("Give the external id.", field="external_id")
    if len(external_id) > 200:
        raise ServiceError("Keep the external id to 200 characters.", field="external_id")
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
        raise PermissionDenied("Only a member who may approve can decide on a model version.")
    if status not in APPROVAL_DECISIONS:
        raise ServiceError("Choose approved, restricted, rejected or retired.", field="status")
    current = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if current.approval_status == status:
        raise ServiceError(f"The version is already {current.get_approval_status_display().lower()}.", conflict=True)
    if status == ApprovalStatus.APPROVED:
        failing = [m.name for m in ModelMetric.objects.filter(model_version=version) if m.passed is False]
        if failing:
            raise ServiceError(
                f"These metrics miss their threshold: {', '.join(failing)}. Approve with restrictions, "
                "or record passing results first.",
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
            f"This version is deployed in {', '.join(deployed)}: take it out of those systems first.", conflict=True
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


# Checks without the database, for previews -------------------------------------------------------------
# An import previews every row before writing anything. These are the cross-field rules the services above
# apply, run on an unsaved record without a query, so a preview's cost does not grow with its rows.
ai_system_check = _validate_ai_system
supplier_check = _validate_supplier
dataset_check = _validate_dataset
