"""How AI systems, datasets and suppliers are imported from CSV or JSON (upsert by reference id).

The columns are the fields of the register's form, under the headers its CSV export writes, so an export
edited in a spreadsheet imports back. Columns the export adds but nobody edits (next review of a system, EU AI
Act tier, "used by") are ignored. Rows are written by the same services as the forms and the API.
"""

from django.utils.translation import gettext_lazy as _

from aims.imports import ChoiceList, ModelImporter, TextList, register_importer
from registry import services
from registry.constants import AITechnique
from registry.forms import AISystemForm
from registry.forms_data import DatasetForm, SupplierForm
from registry.models import AISystem, Dataset, Supplier
from registry.views import AI_SYSTEM_EXPORT
from registry.views_data import DATASET_EXPORT, SUPPLIER_EXPORT

IMPORT_REASON = "Imported from a file"


def _export_field(accessor) -> str:
    """``"business_owner.username"`` → ``business_owner``; ``"get_source_display"`` → ``source``."""
    if not isinstance(accessor, str):
        return ""
    name = accessor.split(".")[0]
    return name.removeprefix("get_").removesuffix("_display") if name.endswith("_display") else name


def _export_headers(export_fields) -> dict[str, str]:
    """``[("Business owner", "business_owner.username"), ...]`` → ``{"business_owner": "Business owner"}``."""
    return {_export_field(accessor): header for header, accessor in export_fields if _export_field(accessor)}


def _not_imported(export_fields, import_fields) -> list[str]:
    """Export columns nobody edits (next review, tier, "used by"): ignored without a warning on import."""
    return [header for header, accessor in export_fields if _export_field(accessor) not in import_fields]


# AI systems --------------------------------------------------------------------------------------------

AI_SYSTEM_IMPORT_FIELDS = list(AISystemForm.Meta.fields)


def _ai_system_create(*, actor, organisation, data):
    return services.ai_system_register(actor=actor, organisation=organisation, data=data)


def _ai_system_update(*, actor, obj, data):
    return services.ai_system_update(actor=actor, system=obj, data=data, reason=IMPORT_REASON)


def _ai_system_prepare_new(system):
    """What ``ai_system_register`` derives for a new system, for the importer's bulk path."""
    system.next_review = services.ai_system_next_review(system)


def ai_system_importer() -> ModelImporter:
    export_headers = _export_headers(AI_SYSTEM_EXPORT)
    return ModelImporter(
        key="ai-systems",
        label=_("AI systems"),
        model=AISystem,
        columns=ModelImporter.build_columns(
            AISystem,
            AI_SYSTEM_IMPORT_FIELDS,
            headers={**export_headers, "suppliers": "Suppliers", "depends_on": "Depends on"},
            converters={
                "ai_techniques": ChoiceList(AITechnique.choices),
                "tags": TextList(max_length=50),  # as the API's tag list
            },
        ),
        create=_ai_system_create,
        update=_ai_system_update,
        validate=services.ai_system_check,
        prepare_new=_ai_system_prepare_new,  # new rows in bulk (issue 9: >= 1,000 rows/s)
        create_reason="Registered",  # as the register service
        ignored=_not_imported(AI_SYSTEM_EXPORT, AI_SYSTEM_IMPORT_FIELDS),
        example={
            "reference": "AIS-101",
            "name": "Invoice fraud screening",
            "description": "Scores incoming invoices for signs of fraud.",
            "intended_purpose": "Flag invoices for a second check before payment.",
            "business_unit": "Finance",
            "operator_role": "deployer",
            "lifecycle_stage": "operation_monitoring",
            "deployment_status": "production",
            "deployment_date": "2024-09-01",
            "ai_techniques": "machine_learning",
            "automation_level": "advisory",
            "human_oversight": "An accounts clerk reviews every flagged invoice.",
            "geography": "EU",
            "criticality": "high",
            "in_scope": "yes",
            "scope_justification": "Supports payment decisions in a core process.",
            "review_cadence_months": "12",
            "tags": "finance,fraud",
        },
        list_url_name="registry:aisystem-list",
    )


# Suppliers ---------------------------------------------------------------------------------------------

SUPPLIER_IMPORT_FIELDS = list(SupplierForm.Meta.fields)


def _supplier_create(*, actor, organisation, data):
    return services.supplier_create(actor=actor, organisation=organisation, data=data)


def _supplier_update(*, actor, obj, data):
    return services.supplier_update(actor=actor, supplier=obj, data=data, reason=IMPORT_REASON)


def supplier_importer() -> ModelImporter:
    return ModelImporter(
        key="suppliers",
        label=_("suppliers"),
        model=Supplier,
        columns=ModelImporter.build_columns(Supplier, SUPPLIER_IMPORT_FIELDS, headers=_export_headers(SUPPLIER_EXPORT)),
        create=_supplier_create,
        update=_supplier_update,
        validate=services.supplier_check,
        ignored=_not_imported(SUPPLIER_EXPORT, SUPPLIER_IMPORT_FIELDS),
        example={
            "reference": "SUP-101",
            "name": "Example Cloud AI Ltd",
            "supply_type": "model_api",
            "supplies": "Hosted language-model API.",
            "contract_reference": "C-2024-017",
            "due_diligence_status": "approved",
            "due_diligence_date": "2024-06-30",
            "next_review": "2025-06-30",
        },
        list_url_name="registry:supplier-list",
    )


# Datasets ----------------------------------------------------------------------------------------------

DATASET_IMPORT_FIELDS = list(DatasetForm.Meta.fields)


def _dataset_create(*, actor, organisation, data):
    return services.dataset_create(actor=actor, organisation=organisation, data=data)


def _dataset_update(*, actor, obj, data):
    return services.dataset_update(actor=actor, dataset=obj, data=data, reason=IMPORT_REASON)


def dataset_importer() -> ModelImporter:
    return ModelImporter(
        key="datasets",
        label=_("datasets"),
        model=Dataset,
        columns=ModelImporter.build_columns(Dataset, DATASET_IMPORT_FIELDS, headers=_export_headers(DATASET_EXPORT)),
        create=_dataset_create,
        update=_dataset_update,
        validate=services.dataset_check,
        ignored=_not_imported(DATASET_EXPORT, DATASET_IMPORT_FIELDS),
        example={
            "reference": "DS-101",
            "name": "Invoices 2020–2024",
            "version": "1",
            "description": "Supplier invoices with the outcome of the fraud check.",
            "source": "internal",
            "provenance": "Exported from the accounts-payable system.",
            "licence": "Internal use",
            "contains_personal_data": "yes",
            "contains_special_category_data": "no",
            "legal_basis": "legitimate_interests",
            "retention": "7 years (tax law)",
        },
        list_url_name="registry:dataset-list",
    )


def register_registry_importers() -> None:
    """Called from ``RegistryConfig.ready``."""
    for importer in (ai_system_importer(), dataset_importer(), supplier_importer()):
        register_importer(importer)
