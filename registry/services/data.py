"""Suppliers, datasets, models and model versions (Annex A.6.2, A.7, A.10)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    DatasetPurpose,
    DataSource,
    DueDiligenceStatus,
    LegalBasis,
    inline_label,
)
from registry.models import (
    AISystem,
    Dataset,
    DatasetUsage,
    Supplier,
)

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
        raise ServiceError(_("Give the date the due diligence was concluded."), field="due_diligence_date")


@transaction.atomic
def supplier_create(*, actor, organisation, data: dict) -> Supplier:
    """Record a supplier of models, data, platforms or services and its due diligence (Annex A.10.3).

    ``data["ai_systems"]`` (optional) links the AI systems that depend on the supplier.
    """
    data = dict(data)
    systems = data.pop("ai_systems", None)
    check_same_organisation(organisation, {**data, "ai_systems": systems or []})
    _validate_supplier(_probe(Supplier, data, organisation=organisation))
    check_reference_free(Supplier, organisation, data.get("reference"))
    with model_errors_as_service_errors():
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
    check_reference_free(Supplier, supplier.organisation, data.get("reference"), exclude_pk=supplier.pk)
    with model_errors_as_service_errors():
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
            _("%(datasets)s come from this supplier: change their source or supplier first.")
            % {"datasets": ", ".join(sourced)},
            conflict=True,
        )
    delete_with_history(supplier, actor=actor, reason="Deleted")


# Datasets ----------------------------------------------------------------------------------------------


def _validate_dataset(dataset: Dataset) -> None:
    """Rules across fields: a named supplier for supplier data; a lawful basis for personal data (GDPR Art. 6, 9)."""
    errors: dict[str, list[str]] = {}
    if dataset.source == DataSource.SUPPLIER and dataset.supplier_id is None:
        errors["supplier"] = [_("Name the supplier this dataset comes from.")]
    if dataset.contains_special_category_data and not dataset.contains_personal_data:
        errors["contains_personal_data"] = [_("Special-category data is personal data: tick this as well.")]
    if dataset.legal_basis == LegalBasis.NOT_APPLICABLE:
        if dataset.contains_special_category_data:
            errors["legal_basis"] = [
                _("Special-category data needs a legal basis (and an Art. 9 condition): 'not applicable' is not one.")
            ]
        elif dataset.contains_personal_data:
            errors["legal_basis"] = [_("Personal data needs a legal basis: 'not applicable' is not one.")]
    if errors:
        raise ServiceError(errors)


def _check_lineage(dataset: Dataset, parents) -> None:
    """A dataset is not derived from itself, directly or through its ancestors (Annex A.7.5 provenance)."""
    parent_ids = {parent.pk for parent in parents}
    if dataset.pk in parent_ids:
        raise ServiceError(_("A dataset cannot be derived from itself."), field="derived_from")
    links = Dataset.derived_from.through.objects
    seen: set = set()
    frontier = parent_ids
    while frontier:
        seen |= frontier
        frontier = set(links.filter(from_dataset_id__in=frontier).values_list("to_dataset_id", flat=True)) - seen
        if dataset.pk in frontier:
            raise ServiceError(
                _("The lineage would go round in a circle: one of these datasets is derived from %(reference)s.")
                % {"reference": dataset.reference},
                field="derived_from",
            )


def _wanted_usages(organisation, usages) -> dict:
    """``[{"ai_system": AISystem, "purpose": "training"}, ...]`` checked and keyed by (system id, purpose)."""
    wanted = {}
    for item in usages:
        system, purpose = item.get("ai_system"), item.get("purpose")
        if system is None or getattr(system, "organisation_id", None) != organisation.pk:
            raise ServiceError(_("Select a system of your own organisation."), field="usages")
        if purpose not in DatasetPurpose.values:
            raise ServiceError(
                _("Choose a purpose among: %(purposes)s.") % {"purposes": ", ".join(DatasetPurpose.values)},
                field="usages",
            )
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
    check_reference_free(Dataset, organisation, data.get("reference"))
    if usages is not None:
        _wanted_usages(organisation, usages)
    with model_errors_as_service_errors():
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
    check_reference_free(Dataset, dataset.organisation, data.get("reference"), exclude_pk=dataset.pk)
    if usages is not None:
        _wanted_usages(dataset.organisation, usages)
    with model_errors_as_service_errors():
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
            ngettext(
                "%(versions)s was trained on this dataset: remove it from its training data first.",
                "%(versions)s were trained on this dataset: remove it from their training data first.",
                len(trained),
            )
            % {"versions": ", ".join(trained)},
            conflict=True,
        )
    derivatives = list(dataset.derivatives.values_list("reference", flat=True)[:5])
    if derivatives:
        raise ServiceError(
            ngettext(
                "%(datasets)s is derived from this dataset: change its lineage first.",
                "%(datasets)s are derived from this dataset: change their lineage first.",
                len(derivatives),
            )
            % {"datasets": ", ".join(derivatives)},
            conflict=True,
        )
    delete_with_history(dataset, actor=actor, reason="Deleted")


@transaction.atomic
def dataset_usage_add(*, actor, dataset: Dataset, ai_system: AISystem, purpose: str) -> DatasetUsage:
    """Record that ``ai_system`` uses ``dataset`` for training, validation, test or as operational input."""
    if ai_system.organisation_id != dataset.organisation_id:
        raise ServiceError(_("Select a system of your own organisation."), field="ai_system")
    if purpose not in DatasetPurpose.values:
        raise ServiceError(_("Choose what the system uses the dataset for."), field="purpose")
    if DatasetUsage.objects.filter(dataset=dataset, ai_system=ai_system, purpose=purpose).exists():
        label = inline_label(DatasetPurpose(purpose).label)
        raise ServiceError(
            _("%(system)s already uses this dataset for %(purpose)s.")
            % {"system": ai_system.reference, "purpose": label},
            field="purpose",
        )
    return _create_usage(actor=actor, dataset=dataset, ai_system=ai_system, purpose=purpose)


@transaction.atomic
def dataset_usage_remove(*, actor, usage: DatasetUsage) -> None:
    delete_with_history(
        usage,
        actor=actor,
        reason=f"No longer used for {usage.get_purpose_display().lower()} in {usage.ai_system.reference}",
    )


# Models ------------------------------------------------------------------------------------------------
