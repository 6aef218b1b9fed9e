"""Bootstrap-styled form rendering for every form, including Django's own auth forms.

Field errors appear under their field, linked with ``aria-describedby`` so screen readers announce them.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


class AimsBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            css = ""
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        described = []
        if self.help_text:
            described.append(f"{self.auto_id}_helptext")
        if self.form.is_bound and self.errors:
            css += " is-invalid"
            attrs["aria-invalid"] = "true"
            described.append(f"{self.auto_id}_error")
        if described:
            attrs["aria-describedby"] = " ".join(described)
        attrs["class"] = f"{attrs.get('class', '')} {css}".strip()
        return attrs


class BootstrapFormRenderer(TemplatesSetting):
    form_template_name = "aims/forms/form.html"
    field_template_name = "aims/forms/field.html"
    bound_field_class = AimsBoundField
