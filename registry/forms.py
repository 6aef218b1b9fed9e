from django import forms
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from registry.constants import AITechnique
from registry.models import AISystem


class CommaSeparatedMultipleChoiceField(forms.MultipleChoiceField):
    """Checkboxes stored as one comma-separated string (portable filtering on SQLite and PostgreSQL)."""

    widget = forms.CheckboxSelectMultiple

    def prepare_value(self, value):
        if isinstance(value, str):
            return [v for v in value.split(",") if v]
        return value

    def clean(self, value):
        return ",".join(super().clean(value))


class AISystemForm(OrganisationModelForm):
    ai_techniques = CommaSeparatedMultipleChoiceField(
        choices=AITechnique.choices, required=False, label=_("AI techniques")
    )

    fieldsets = [
        (_("Identity"), ["reference", "name", "description", "business_unit", "tags"]),
        (_("Purpose and people"), ["intended_purpose", "intended_users", "foreseeable_misuse", "affected_persons"]),
        (_("Accountability"), ["business_owner", "technical_owner", "operator_role"]),
        (
            _("Life cycle"),
            ["lifecycle_stage", "deployment_status", "deployment_date", "review_cadence_months", "last_reviewed"],
        ),
        (
            _("Technology and oversight"),
            ["ai_techniques", "automation_level", "human_oversight", "geography", "criticality"],
        ),
        (_("AIMS scope"), ["in_scope", "scope_justification"]),
        (_("Dependencies"), ["suppliers", "depends_on"]),
    ]

    class Meta:
        model = AISystem
        fields = [
            "reference",
            "name",
            "description",
            "intended_purpose",
            "intended_users",
            "foreseeable_misuse",
            "affected_persons",
            "business_owner",
            "technical_owner",
            "business_unit",
            "operator_role",
            "lifecycle_stage",
            "deployment_status",
            "deployment_date",
            "ai_techniques",
            "automation_level",
            "human_oversight",
            "geography",
            "criticality",
            "in_scope",
            "scope_justification",
            "review_cadence_months",
            "last_reviewed",
            "tags",
            "suppliers",
            "depends_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "intended_purpose": forms.Textarea(attrs={"rows": 3}),
            "intended_users": forms.Textarea(attrs={"rows": 2}),
            "foreseeable_misuse": forms.Textarea(attrs={"rows": 2}),
            "affected_persons": forms.Textarea(attrs={"rows": 2}),
            "human_oversight": forms.Textarea(attrs={"rows": 2}),
            "scope_justification": forms.Textarea(attrs={"rows": 2}),
            "deployment_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "last_reviewed": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "suppliers": forms.SelectMultiple(attrs={"size": 4}),
            "depends_on": forms.SelectMultiple(attrs={"size": 4}),
        }
