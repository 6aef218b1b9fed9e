"""Forms of the reviews pages: they parse input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reviews.constants import WEEKDAYS, Outcome
from reviews.kinds import all_kinds


def cadence_kinds():
    return [kind for kind in all_kinds() if kind.uses_cadence]


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=Outcome.choices, widget=forms.RadioSelect, initial=Outcome.NO_CHANGE, label=_("Outcome")
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        label=_("Comment"),
        help_text=_("What you checked and what changed. Required when something was updated or the object is retired."),
    )

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kind is not None and not kind.can_retire:
            self.fields["outcome"].choices = [c for c in Outcome.choices if c[0] != Outcome.RETIRE]


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("The AIMS officers"),
        label=_("Give it to"),
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = (
            get_user_model().objects.filter(memberships__organisation=organisation).order_by("username")
        )


class ReviewSettingsForm(forms.Form):
    lead_days = forms.IntegerField(
        label=_("Reminder lead time (days)"),
        min_value=0,
        max_value=90,
        help_text=_("A review task is created, and its owner reminded, this many days before the review is due."),
    )
    escalation_days = forms.IntegerField(
        label=_("Escalation delay (days)"),
        min_value=1,
        max_value=90,
        help_text=_("A task still open this many days after its due date goes to the AIMS officers, once."),
    )
    quiet_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Quiet days"),
        help_text=_("No reminders or escalations are sent on these days; they go out on the next working day."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in cadence_kinds():
            self.fields[f"cadence_{kind.key}"] = forms.IntegerField(
                label=gettext("%(kind)s: months between reviews") % {"kind": kind.label},
                min_value=1,
                max_value=60,
                initial=kind.default_cadence_months,
            )

    @classmethod
    def initial_from(cls, review_settings) -> dict:
        initial = {
            "lead_days": review_settings.lead_days,
            "escalation_days": review_settings.escalation_days,
            "quiet_days": review_settings.quiet_days,
        }
        for kind in cadence_kinds():
            initial[f"cadence_{kind.key}"] = (review_settings.cadences or {}).get(kind.key, kind.default_cadence_months)
        return initial

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in ("lead_days", "escalation_days", "quiet_days")}
        data["cadences"] = {kind.key: self.cleaned_data[f"cadence_{kind.key}"] for kind in cadence_kinds()}
        return data
