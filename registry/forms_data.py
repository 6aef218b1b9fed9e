"""Forms of the data, model and supplier registers. They validate input; the services apply the rules."""

import math

from django import forms
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from registry.constants import ApprovalStatus, DatasetPurpose, MetricComparison
from registry.models import AIModel, AISystem, Dataset, ModelVersion, Supplier

_DATE = {"type": "date"}
APPROVAL_DECISION_CHOICES = [(value, label) for value, label in ApprovalStatus.choices if value != "proposed"]


def _date_input():
    return forms.DateInput(attrs=_DATE, format="%Y-%m-%d")


class SupplierForm(OrganisationModelForm):
    """A supplier; the systems it supplies are linked here too (they are also editable from the system)."""

    ai_systems = forms.ModelMultipleChoiceField(
        queryset=AISystem.objects.all(),
        required=False,
        label=_("AI systems it supplies"),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    fieldsets = [
        (_("Identity"), ["reference", "name", "supply_type", "supplies", "contract_reference", "owner"]),
        (_("Due diligence"), ["due_diligence_status", "due_diligence_date", "assessment_notes", "next_review"]),
        (_("Links"), ["ai_systems"]),
    ]

    class Meta:
        model = Supplier
        fields = [
            "reference",
            "name",
            "supply_type",
            "supplies",
            "contract_reference",
            "owner",
            "due_diligence_status",
            "due_diligence_date",
            "assessment_notes",
            "next_review",
        ]
        widgets = {
            "supplies": forms.Textarea(attrs={"rows": 3}),
            "assessment_notes": forms.Textarea(attrs={"rows": 4}),
            "due_diligence_date": _date_input(),
            "next_review": _date_input(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ai_systems"].queryset = self.fields["ai_systems"].queryset.order_by("reference")
        if not self.instance._state.adding and not self.is_bound:
            self.initial["ai_systems"] = list(self.instance.ai_systems.values_list("pk", flat=True))


class DatasetForm(OrganisationModelForm):
    fieldsets = [
        (_("Identity"), ["reference", "name", "version", "description", "owner", "next_review"]),
        (
            _("Source and provenance"),
            ["source", "supplier", "provenance", "collection_method", "licence", "derived_from"],
        ),
        (
            _("Personal data"),
            ["contains_personal_data", "contains_special_category_data", "legal_basis", "retention"],
        ),
        (_("Quality"), ["quality_checks", "quality_results", "known_biases"]),
    ]

    class Meta:
        model = Dataset
        fields = [
            "reference",
            "name",
            "version",
            "description",
            "owner",
            "source",
            "supplier",
            "provenance",
            "collection_method",
            "licence",
            "contains_personal_data",
            "contains_special_category_data",
            "legal_basis",
            "quality_checks",
            "quality_results",
            "known_biases",
            "retention",
            "derived_from",
            "next_review",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "provenance": forms.Textarea(attrs={"rows": 3}),
            "collection_method": forms.Textarea(attrs={"rows": 2}),
            "quality_checks": forms.Textarea(attrs={"rows": 3}),
            "quality_results": forms.Textarea(attrs={"rows": 3}),
            "known_biases": forms.Textarea(attrs={"rows": 3}),
            "derived_from": forms.SelectMultiple(attrs={"size": 4}),
            "next_review": _date_input(),
        }


class DatasetUsageForm(forms.Form):
    """Add one usage (system + purpose) from the dataset page."""

    ai_system = forms.ModelChoiceField(queryset=AISystem.objects.none(), label=_("AI system"))
    purpose = forms.ChoiceField(choices=DatasetPurpose.choices, label=_("Used for"))

    def __init__(self, *args, organisation=None, **kwargs):
        kwargs.setdefault("auto_id", "usage_%s")
        super().__init__(*args, **kwargs)
        self.fields["ai_system"].queryset = AISystem.objects.filter(organisation=organisation).order_by("reference")


class AIModelForm(OrganisationModelForm):
    class Meta:
        model = AIModel
        fields = ["reference", "name", "model_type", "description", "owner", "supplier"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ModelVersionForm(OrganisationModelForm):
    """A version; its model is chosen when it is created and stays fixed afterwards."""

    class Meta:
        model = ModelVersion
        fields = ["model", "version_label", "external_id", "description", "training_datasets", "deployed_in"]
        labels = {"external_id": _("External id (MLOps pipeline)")}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "training_datasets": forms.SelectMultiple(attrs={"size": 5}),
            "deployed_in": forms.SelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].queryset = self.fields["model"].queryset.order_by("reference")
        if not self.instance._state.adding:
            self.fields["model"].disabled = True

    # Uniqueness (a label per model, an external id per organisation) is the service's check: clearer text.
    def validate_unique(self):
        return None

    def validate_constraints(self):
        return None

    def clean_external_id(self):
        return (self.cleaned_data.get("external_id") or "").strip() or None


class _FiniteFloatField(forms.FloatField):
    def validate(self, value):
        super().validate(value)
        if value is not None and not math.isfinite(value):
            raise forms.ValidationError(_("Enter a finite number."), code="invalid")


class ModelMetricForm(forms.Form):
    """One metric row of a version: a new name adds a row, an existing name updates it."""

    name = forms.CharField(max_length=100, label=_("Metric"), help_text=_("e.g. accuracy, fairness gap, robustness"))
    value = _FiniteFloatField(label=_("Value"))
    threshold = _FiniteFloatField(label=_("Threshold"), required=False)
    comparison = forms.ChoiceField(choices=MetricComparison.choices, label=_("Passes when the value is"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "metric_%s")
        super().__init__(*args, **kwargs)


class ModelVersionDecisionForm(forms.Form):
    status = forms.ChoiceField(choices=APPROVAL_DECISION_CHOICES, label=_("Decision"))
    note = forms.CharField(max_length=500, required=False, label=_("Note"))
