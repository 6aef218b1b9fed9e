"""Forms of the governance pages. They parse and check input; the services apply the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aims.forms import OrganisationModelForm
from aims.roles import Role
from governance.constants import CLOSED_OBJECTIVE_STATUSES, AimsProcess, ObjectiveStatus, Raci
from governance.models import (
    AcknowledgementRequirement,
    AimsRole,
    Communication,
    Competence,
    Objective,
    RoleAssignment,
    TrainingCourse,
    TrainingRecord,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _rows(n: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": n})


class AimsRoleForm(OrganisationModelForm):
    fieldsets = [
        (_("Role"), ["reference", "name", "purpose", "reports_to", "is_active"]),
        (_("Responsibilities and authorities"), ["responsibilities", "authorities"]),
        (_("Reporting (clause 5.3, A.3.3)"), ["reports_performance", "receives_concerns", "concern_channel"]),
    ]

    class Meta:
        model = AimsRole
        fields = [
            "reference",
            "name",
            "purpose",
            "reports_to",
            "is_active",
            "responsibilities",
            "authorities",
            "reports_performance",
            "receives_concerns",
            "concern_channel",
        ]
        widgets = {
            "purpose": _rows(2),
            "responsibilities": _rows(5),
            "authorities": _rows(4),
            "concern_channel": _rows(3),
        }
        # Fields without a verbose name of their own (a model change would need a migration) are labelled here.
        labels = {
            "name": _("Name"),
            "purpose": _("Purpose"),
            "reports_to": _("Reports to"),
            "responsibilities": _("Responsibilities"),
            "authorities": _("Authorities"),
        }
        help_texts = {"concern_channel": _("Required when the role receives concerns.")}


class RoleAssignForm(OrganisationModelForm):
    """A member takes up the role shown on the page."""

    class Meta:
        model = RoleAssignment
        fields = ["member", "start", "end", "note"]
        widgets = {"start": DATE, "end": DATE}
        labels = {"member": _("Member"), "start": _("From"), "end": _("To"), "note": _("Note")}


class RoleAssignmentForm(OrganisationModelForm):
    """Change the dates or the note of an assignment."""

    class Meta:
        model = RoleAssignment
        fields = ["start", "end", "note"]
        widgets = {"start": DATE, "end": DATE}
        labels = {"note": _("Note")}


class EndAssignmentForm(forms.Form):
    end = forms.DateField(label=_("Last day in the role"), required=False, widget=DATE)


class RaciForm(forms.Form):
    """One select per (process, role) cell of the RACI view."""

    def __init__(self, *args, roles, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = list(roles)
        choices = [("", "—"), *Raci.choices]
        self.rows = []
        for process, label in AimsProcess.choices:
            cells = []
            for role in self.roles:
                name = f"{process}__{role.pk}"
                self.fields[name] = forms.ChoiceField(
                    choices=choices,
                    required=False,
                    label=_("%(role)s in %(process)s") % {"role": role.name, "process": label},
                    initial=current.get((role.pk, process), ""),
                )
                cells.append(name)
            self.rows.append((process, label, cells))

    def cells(self) -> dict:
        """``{(role, process): code}`` for every cell of the form."""
        by_pk = {str(role.pk): role for role in self.roles}
        result = {}
        for name, value in self.cleaned_data.items():
            process, __, role_pk = name.partition("__")
            result[(by_pk[role_pk], process)] = value or ""
        return result

    def bound_rows(self):
        for process, label, names in self.rows:
            yield process, label, [self[name] for name in names]


class ObjectiveForm(OrganisationModelForm):
    fieldsets = [
        (_("Objective"), ["reference", "title", "annex_c_objective", "owner", "description"]),
        (_("Measure and target"), ["measure", "unit", "direction", "baseline", "target", "start", "deadline"]),
        (_("Plan (clause 6.2)"), ["resources", "plan", "evaluation"]),
    ]

    class Meta:
        model = Objective
        fields = [
            "reference",
            "title",
            "annex_c_objective",
            "owner",
            "description",
            "measure",
            "unit",
            "direction",
            "baseline",
            "target",
            "start",
            "deadline",
            "resources",
            "plan",
            "evaluation",
        ]
        widgets = {
            "description": _rows(3),
            "resources": _rows(3),
            "plan": _rows(4),
            "evaluation": _rows(3),
            "start": DATE,
            "deadline": DATE,
        }
        labels = {
            "description": _("Description"),
            "measure": _("Measure"),
            "unit": _("Unit"),
            "direction": _("Direction"),
            "baseline": _("Baseline"),
            "target": _("Target"),
            "deadline": _("Deadline"),
            "resources": _("Resources"),
        }
        help_texts = {
            "measure": _(
                "Needed before approval, with the target, deadline and owner. Once the KPI register exists "
                "an objective will link to a KPI."
            ),
        }


class ObjectiveValueForm(forms.Form):
    value = forms.DecimalField(label=_("Measured value"), max_digits=14, decimal_places=2)
    measured_on = forms.DateField(label=_("Measured on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=60)


class ObjectiveCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"), choices=[(s.value, s.label) for s in ObjectiveStatus if s in CLOSED_OBJECTIVE_STATUSES]
    )
    note = forms.CharField(label=_("How the result was evaluated"), widget=_rows(3))


class CompetenceForm(OrganisationModelForm):
    class Meta:
        model = Competence
        fields = ["reference", "name", "description", "roles"]
        widgets = {"description": _rows(3), "roles": forms.CheckboxSelectMultiple}
        labels = {"name": _("Name"), "description": _("Description")}


class TrainingCourseForm(OrganisationModelForm):
    fieldsets = [
        (_("Course"), ["reference", "title", "provider", "delivery", "owner", "is_active"]),
        (_("What it gives"), ["competences", "validity_months", "description"]),
    ]

    class Meta:
        model = TrainingCourse
        fields = [
            "reference",
            "title",
            "provider",
            "delivery",
            "owner",
            "is_active",
            "competences",
            "validity_months",
            "description",
        ]
        widgets = {"description": _rows(3), "competences": forms.CheckboxSelectMultiple}
        labels = {
            "owner": _("Coordinator"),
            "title": _("Title"),
            "provider": _("Provider"),
            "delivery": _("Delivery"),
            "competences": _("Competences"),
            "description": _("Description"),
        }


class TrainingRecordForm(OrganisationModelForm):
    certificate_file = forms.FileField(
        label=_("Upload the certificate"),
        required=False,
        help_text=_("Stored in the evidence register with its SHA-256. PDF, PNG, JPEG, Word, Excel, CSV or text."),
    )

    fieldsets = [
        (_("Training"), ["reference", "member", "course", "completed_on", "result", "score", "expires_on"]),
        (_("Certificate and notes"), ["certificate_file", "certificate", "notes"]),
    ]

    class Meta:
        model = TrainingRecord
        fields = [
            "reference",
            "member",
            "course",
            "completed_on",
            "result",
            "score",
            "expires_on",
            "certificate",
            "notes",
        ]
        widgets = {"completed_on": DATE, "expires_on": DATE, "notes": _rows(2)}
        labels = {
            "certificate": _("Or choose existing evidence"),
            "member": _("Member"),
            "course": _("Course"),
            "completed_on": _("Completed on"),
            "result": _("Result"),
            "score": _("Score"),
            "expires_on": _("Expires on"),
            "notes": _("Notes"),
        }

    def __init__(self, *args, only_member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = self.fields["course"].queryset.order_by("reference")
        self.fields["certificate"].queryset = self.fields["certificate"].queryset.order_by("-reference")
        if only_member is not None:
            # A contributor records their own training only.
            self.fields["member"].queryset = self.fields["member"].queryset.filter(pk=only_member.pk)
            self.fields["member"].initial = only_member.pk

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("certificate_file", None)
        return data


class CommunicationForm(OrganisationModelForm):
    fieldsets = [
        (_("What"), ["reference", "topic", "description"]),
        (_("To whom"), ["audience_kind", "audience", "interested_parties"]),
        (_("When, how and by whom"), ["frequency", "timing", "channel", "owner", "last_done", "next_due"]),
    ]

    class Meta:
        model = Communication
        fields = [
            "reference",
            "topic",
            "description",
            "audience_kind",
            "audience",
            "interested_parties",
            "frequency",
            "timing",
            "channel",
            "owner",
            "last_done",
            "next_due",
        ]
        widgets = {
            "description": _rows(3),
            "last_done": DATE,
            "next_due": DATE,
            "interested_parties": forms.SelectMultiple(attrs={"size": 5}),
        }
        labels = {
            "owner": _("By whom"),
            "description": _("Description"),
            "interested_parties": _("Interested parties"),
            "channel": _("Channel"),
            "last_done": _("Last done"),
            "next_due": _("Next due"),
        }


class AcknowledgementRequirementForm(OrganisationModelForm):
    """Which policy, and the AIMS roles and access roles whose members must acknowledge it."""

    policy_reference = forms.ChoiceField(label=_("Policy"))
    membership_roles = forms.MultipleChoiceField(
        label=_("Members with access roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every member with one of these access roles must acknowledge."),
    )

    class Meta:
        model = AcknowledgementRequirement
        fields = ["policy_reference", "aims_roles", "membership_roles", "due_days"]
        widgets = {"aims_roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_reference"].choices = [("", "—"), *policy_choices(self.organisation)]
        self.fields["aims_roles"].queryset = (
            self.fields["aims_roles"].queryset.filter(is_active=True).order_by("reference")
        )
        if self.instance.pk and not self.is_bound:
            self.initial["membership_roles"] = self.instance.membership_role_list

    def clean_membership_roles(self) -> str:
        return ",".join(self.cleaned_data.get("membership_roles") or [])


def policy_choices(organisation) -> list[tuple[str, str]]:
    """One choice per policy (by reference), labelled with its latest title."""
    from controls.models import Policy

    latest = {}
    for reference, title, version in (
        Policy.objects.filter(organisation=organisation)
        .order_by("reference", "version")
        .values_list("reference", "title", "version")
    ):
        latest[reference] = f"{reference} {title} (v{version})"
    return list(latest.items())


class CommunicationDoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=80)
