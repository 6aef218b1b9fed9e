"""Form helpers shared by every app."""

from django import forms
from django.core.exceptions import ValidationError


def apply_service_error(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when it names one the form has, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


class OrganisationModelForm(forms.ModelForm):
    """A ModelForm whose choices of related records come from the current organisation only.

    Foreign keys and many-to-many fields to organisation-scoped models list that organisation's records;
    fields pointing at users list its members. A forged id of another organisation is therefore an
    "invalid choice" error, not a cross-tenant link.
    """

    fieldsets: list[tuple[str, list[str]]] | None = None

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            model = queryset.model
            if model is user_model:
                field.queryset = queryset.filter(memberships__organisation=organisation).order_by("username")
            elif any(f.name == "organisation" for f in model._meta.fields):
                field.queryset = queryset.filter(organisation=organisation)
        if self.instance and self.instance.pk:
            for field in self.fields.values():
                # A record never links to itself (depends_on, derived_from).
                if getattr(field, "queryset", None) is not None and field.queryset.model is type(self.instance):
                    field.queryset = field.queryset.exclude(pk=self.instance.pk)

    def service_data(self) -> dict:
        """The cleaned values the service applies (the form's own fields, nothing else)."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}
