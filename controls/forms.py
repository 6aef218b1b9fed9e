"""Forms of the catalogue: an organisation's own frameworks, requirements, mappings and CSV imports."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from controls.models import Framework, Requirement, RequirementMapping

# Labels of fields whose model leaves the name to Django (it derives it from the attribute name, which no
# catalogue can translate); giving them a verbose_name on the model would rewrite the migrations.
FIELD_LABELS = {
    "title": _("Title"),
    "name": _("Name"),
    "key": _("Key"),
    "version": _("Version"),
    "kind": _("Kind"),
    "publisher": _("Publisher"),
    "description": _("Description"),
    "identifier": _("Identifier"),
    "parent": _("Parent"),
    "assessable": _("Assessable"),
    "relationship": _("Relationship"),
    "note": _("Note"),
    "notes": _("Notes"),
    "reference": _("Reference"),
    "owner": _("Owner"),
    "implementation_status": _("Implementation status"),
    "requirements": _("Requirements"),
    "risks": _("Risks"),
    "treatment_actions": _("Treatment actions"),
    "next_review": _("Next review"),
    "last_check_result": _("Last check result"),
    "business_need": _("Business need"),
    "exclusion_reason": _("Exclusion reason"),
    "exclusion_justification": _("Exclusion justification"),
    "effective_date": _("Effective date"),
    "expiry_date": _("Expiry date"),
    "controls": _("Controls"),
    "body": _("Body"),
    "phase": _("Phase"),
    "due_date": _("Due date"),
    "status": _("Status"),
    "requirement": _("Requirement"),
    "control": _("Control"),
}


def labels_for(model, **extra) -> dict:
    """Form labels for ``model``'s fields that have no verbose name of their own, plus ``extra``."""
    names = {f.name for f in model._meta.get_fields() if getattr(f, "_verbose_name", "") is None}
    return {**{name: label for name, label in FIELD_LABELS.items() if name in names}, **extra}


class FrameworkForm(OrganisationModelForm):
    fieldsets = [
        (_("Framework"), ["name", "key", "version", "kind"]),
        (_("Source"), ["publisher", "url", "description"]),
    ]

    class Meta:
        model = Framework
        fields = ["name", "key", "version", "kind", "publisher", "url", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"publisher": _("Who issued it: your organisation, a customer, a regulator.")}
        labels = labels_for(model)


class RequirementForm(OrganisationModelForm):
    """A requirement of an own framework; its parent is chosen among the same framework's requirements."""

    fieldsets = [
        (_("Requirement"), ["identifier", "title", "parent", "kind", "assessable"]),
        (_("Text"), ["statement", "guidance"]),
    ]

    class Meta:
        model = Requirement
        fields = ["identifier", "title", "parent", "kind", "assessable", "statement", "guidance"]
        labels = labels_for(model, statement=_("Text (your own source's wording)"), guidance=_("Guidance"))
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "guidance": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, framework=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework or getattr(self.instance, "framework", None)
        parents = Requirement.objects.filter(framework=self.framework).order_by("sort_order")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("— top level —")


class RequirementImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: identifier, title, parent identifier, guidance (optional: kind, assessable). "
            "UTF-8; comma, semicolon or tab separated. Existing identifiers are updated."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class MappingForm(OrganisationModelForm):
    """An own mapping: each end is a framework (shipped or own) and an identifier in it."""

    source_framework = forms.ModelChoiceField(queryset=Framework.objects.none(), label=_("From framework"))
    source_identifier = forms.CharField(
        max_length=100, label=_("From requirement"), help_text=_("Its identifier, e.g. A.6.2.4.")
    )
    target_framework = forms.ModelChoiceField(queryset=Framework.objects.none(), label=_("To framework"))
    target_identifier = forms.CharField(
        max_length=100, label=_("To requirement"), help_text=_("Its identifier, e.g. GOVERN 1.1.")
    )

    fieldsets = [
        (_("From"), ["source_framework", "source_identifier"]),
        (_("To"), ["target_framework", "target_identifier"]),
        (_("Link"), ["relationship", "note"]),
    ]

    class Meta:
        model = RequirementMapping
        fields = ["relationship", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"relationship": _("Choose “related” unless you have checked that one covers the other.")}
        labels = labels_for(model)

    def __init__(self, *args, initial_source=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Framework.objects.filter(Q(organisation__isnull=True) | Q(organisation=self.organisation)).order_by(
            "name"
        )
        for name in ("source_framework", "target_framework"):
            self.fields[name].queryset = visible
        mapping = None if self.instance._state.adding else self.instance
        source = mapping.source if mapping else initial_source
        if source is not None:
            self.initial.setdefault("source_framework", source.framework_id)
            self.initial.setdefault("source_identifier", source.identifier)
        if mapping is not None:
            self.initial.setdefault("target_framework", mapping.target.framework_id)
            self.initial.setdefault("target_identifier", mapping.target.identifier)

    def _resolve(self, end: str):
        framework = self.cleaned_data.get(f"{end}_framework")
        identifier = (self.cleaned_data.get(f"{end}_identifier") or "").strip()
        if framework is None or not identifier:
            return None
        requirement = Requirement.objects.filter(framework=framework, identifier__iexact=identifier).first()
        if requirement is None:
            self.add_error(
                f"{end}_identifier",
                gettext("%(framework)s has no requirement “%(identifier)s”.")
                % {"framework": framework.name, "identifier": identifier},
            )
        return requirement

    def clean(self):
        cleaned = super().clean()
        cleaned["source"] = self._resolve("source")
        cleaned["target"] = self._resolve("target")
        return cleaned

    def service_data(self) -> dict:
        return {
            "source": self.cleaned_data["source"],
            "target": self.cleaned_data["target"],
            "relationship": self.cleaned_data["relationship"],
            "note": self.cleaned_data["note"],
        }
