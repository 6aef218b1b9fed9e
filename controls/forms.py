"""Forms of the catalogue: an organisation's own frameworks, requirements, mappings and CSV imports."""

from django import forms
from django.db.models import Q

from aims.forms import OrganisationModelForm
from controls.models import Framework, Requirement, RequirementMapping


class FrameworkForm(OrganisationModelForm):
    fieldsets = [
        ("Framework", ["name", "key", "version", "kind"]),
        ("Source", ["publisher", "url", "description"]),
    ]

    class Meta:
        model = Framework
        fields = ["name", "key", "version", "kind", "publisher", "url", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"publisher": "Who issued it: your organisation, a customer, a regulator."}


class RequirementForm(OrganisationModelForm):
    """A requirement of an own framework; its parent is chosen among the same framework's requirements."""

    fieldsets = [
        ("Requirement", ["identifier", "title", "parent", "kind", "assessable"]),
        ("Text", ["statement", "guidance"]),
    ]

    class Meta:
        model = Requirement
        fields = ["identifier", "title", "parent", "kind", "assessable", "statement", "guidance"]
        labels = {"statement": "Text (your own source's wording)", "guidance": "Guidance"}
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
        self.fields["parent"].empty_label = "— top level —"


class RequirementImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: identifier, title, parent identifier, guidance (optional: kind, assessable). "
        "UTF-8; comma, semicolon or tab separated. Existing identifiers are updated.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class MappingForm(OrganisationModelForm):
    """An own mapping: each end is a framework (shipped or own) and an identifier in it."""

    source_framework = forms.ModelChoiceField(queryset=Framework.objects.none(), label="From framework")
    source_identifier = forms.CharField(
        max_length=100, label="From requirement", help_text="Its identifier, e.g. A.6.2.4."
    )
    target_framework = forms.ModelChoiceField(queryset=Framework.objects.none(), label="To framework")
    target_identifier = forms.CharField(
        max_length=100, label="To requirement", help_text="Its identifier, e.g. GOVERN 1.1."
    )

    fieldsets = [
        ("From", ["source_framework", "source_identifier"]),
        ("To", ["target_framework", "target_identifier"]),
        ("Link", ["relationship", "note"]),
    ]

    class Meta:
        model = RequirementMapping
        fields = ["relationship", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"relationship": "Choose “related” unless you have checked that one covers the other."}

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
            self.add_error(f"{end}_identifier", f"{framework.name} has no requirement “{identifier}”.")
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
