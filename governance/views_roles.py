"""Pages of the AIMS roles (clause 5.3, A.3.2, A.3.3): the roles register with holders, assignments, and the RACI
view. Thin: forms parse, services decide."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from aims.crud import Column, OrganisationViewMixin, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from aims.exports import EXPORT_FORMATS, export_response
from aims.forms import apply_service_error
from aims.services import ServiceError
from governance import services
from governance.filtersets import AimsRoleFilterSet, RoleAssignmentFilterSet
from governance.forms import AimsRoleForm, EndAssignmentForm, RaciForm, RoleAssignForm, RoleAssignmentForm
from governance.models import AimsRole, Competence, RaciEntry, RoleAssignment
from governance.selectors import raci_matrix, roles_with_holders
from risk.views_base import FormsDetailView, ObjectActionView

Q_REPORTING = Q(reports_performance=True) | Q(receives_concerns=True)

ROLE_EXPORT = [
    ("Reference", "reference"),
    ("Name", "name"),
    ("Purpose", "purpose"),
    ("Responsibilities", "responsibilities"),
    ("Authorities", "authorities"),
    ("Reports to", "reports_to"),
    ("Reports AIMS performance to top management", "reports_performance"),
    ("Receives concerns", "receives_concerns"),
    ("Reporting channel for concerns", "concern_channel"),
    ("In use", "is_active"),
    ("Current holders", lambda r: ", ".join(str(a.member) for a in r.current_assignments)),
]

ASSIGNMENT_EXPORT = [
    ("Role", "role.reference"),
    ("Role name", "role.name"),
    ("Member", "member.username"),
    ("Name", lambda a: a.member.get_full_name()),
    ("From", "start"),
    ("To", "end"),
    ("Note", "note"),
]

RACI_EXPORT = [
    ("Process", lambda e: e.get_process_display()),
    ("Role", "role.reference"),
    ("Role name", "role.name"),
    ("Part", "code"),
]


class AimsRoleMixin:
    model = AimsRole
    url_base = "governance:aimsrole"

    def base_queryset(self):
        return roles_with_holders(AimsRole.objects.all())


class AimsRoleListView(AimsRoleMixin, RegisterListView):
    title = _("AIMS roles and responsibilities")
    template_name = "governance/aimsrole_list.html"
    filterset_class = AimsRoleFilterSet
    export_fields = ROLE_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("name", _("Role"), sort="name", template="registry/cells/name.html"),
        Column("holders", _("Held by"), template="governance/cells/holders.html"),
        Column("reports_to", _("Reports to"), sort="reports_to"),
        Column("flags", _("Reporting"), template="governance/cells/role_flags.html"),
    ]

    def extra_context_data(self) -> dict:
        # The reporting lines of clause 5.3 and A.3.3, read from the same (prefetched) page of roles would miss
        # roles on other pages: one small query for the two flags.
        flagged = list(
            roles_with_holders(
                AimsRole.objects.visible_to(self.request.user, self.request.organisation).filter(is_active=True)
            ).filter(Q_REPORTING)
        )
        return {
            "performance_roles": [r for r in flagged if r.reports_performance],
            "concern_roles": [r for r in flagged if r.receives_concerns],
        }


class AimsRoleDetailView(AimsRoleMixin, FormsDetailView):
    template_name = "governance/aimsrole_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "governance/tabs/aimsrole_overview.html"),
        Tab("holders", _("Holders"), "governance/tabs/aimsrole_holders.html"),
        Tab("competences", _("Competences"), "governance/tabs/aimsrole_competences.html"),
    ]

    def tab_context(self, obj, tab_key):
        if tab_key == "holders":
            return {
                "assignments": RoleAssignment.objects.filter(role=obj).select_related("member").order_by("-start"),
                "assign_form": RoleAssignForm(organisation=self.request.organisation),
                "end_form": EndAssignmentForm(),
                "can_assign": self.allowed("add") and can_assign(self.request),
            }
        if tab_key == "competences":
            return {
                "competences": Competence.objects.filter(roles=obj).prefetch_related("courses").order_by("reference")
            }
        return {}


def can_assign(request) -> bool:
    from aims.permissions import can

    return can(request.user, "add", RoleAssignment, request.organisation)


class AimsRoleFormView(AimsRoleMixin, RegisterFormView):
    form_class = AimsRoleForm
    create_service = staticmethod(services.aims_role_create)
    update_service = staticmethod(services.aims_role_update)
    object_kwarg = "role"


class AimsRoleDeleteView(AimsRoleMixin, RegisterDeleteView):
    delete_service = staticmethod(services.aims_role_delete)
    object_kwarg = "role"


class RoleAssignView(AimsRoleMixin, ObjectActionView):
    """POST: a member takes up this role (officers)."""

    permission_action = "view"
    form_class = RoleAssignForm
    form_key = "assign_form"
    detail_view = AimsRoleDetailView
    tab = "holders"

    def get_form(self, obj, data):
        if not can_assign(self.request):
            raise PermissionDenied
        return RoleAssignForm(data, organisation=self.request.organisation)

    def perform(self, obj, form):
        return services.role_assign(
            actor=self.request.user, organisation=self.request.organisation, data={**form.cleaned_data, "role": obj}
        )

    def success_message(self, obj, result):
        return gettext("%(member)s now holds %(role)s.") % {"member": result.member, "role": obj.name}


# --- Assignments -----------------------------------------------------------------------------------------


class RoleAssignmentMixin:
    model = RoleAssignment
    url_base = "governance:roleassignment"

    def base_queryset(self):
        return RoleAssignment.objects.select_related("role", "member")


class RoleAssignmentListView(RoleAssignmentMixin, RegisterListView):
    title = _("Role assignments")
    filterset_class = RoleAssignmentFilterSet
    export_fields = ASSIGNMENT_EXPORT
    default_ordering = "role__reference"
    columns = [
        Column("role", _("Role"), sort="role__reference", template="governance/cells/assignment_role.html"),
        Column("member", _("Member"), sort="member__username", template="governance/cells/member.html"),
        Column("start", _("From"), sort="start", template="governance/cells/date.html"),
        Column("end", _("To"), sort="end", template="governance/cells/assignment_end.html"),
        Column("note", _("Note")),
    ]

    def common_context(self):
        # Assignments are made from a role's page, so the list offers no "New" button.
        return {**super().common_context(), "can_add": False}


class RoleAssignmentFormView(RoleAssignmentMixin, RegisterFormView):
    """Edit the dates or note of an assignment (creating one happens on the role's page)."""

    form_class = RoleAssignmentForm
    update_service = staticmethod(services.role_assignment_update)
    object_kwarg = "assignment"

    def get_object(self):
        if "pk" not in self.kwargs:
            raise Http404
        return super().get_object()

    def success_url(self, obj):
        return _holders_url(obj)


class RoleAssignmentEndView(RoleAssignmentMixin, ObjectActionView):
    """POST: the member stops holding the role (today, or the date given)."""

    form_class = EndAssignmentForm

    def perform(self, obj, form):
        return services.role_assignment_end(actor=self.request.user, assignment=obj, end=form.cleaned_data.get("end"))

    def success_message(self, obj, result):
        return gettext("%(member)s no longer holds %(role)s after %(date)s.") % {
            "member": obj.member,
            "role": obj.role.name,
            "date": f"{result.end:%Y-%m-%d}",
        }

    def success_url(self, obj, result):
        return _holders_url(obj)


class RoleAssignmentDetailView(RoleAssignmentMixin, OrganisationViewMixin, View):
    """An assignment is shown on its role's Holders tab."""

    def get(self, request, *args, **kwargs):
        self.require("view")
        return redirect(_holders_url(get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])))


class RoleAssignmentDeleteView(RoleAssignmentMixin, ObjectActionView):
    """POST: remove an assignment made in error."""

    permission_action = "delete"

    def perform(self, obj, form):
        services.role_assignment_delete(actor=self.request.user, assignment=obj)

    def success_message(self, obj, result):
        return gettext("Assignment of %(member)s to %(role)s deleted.") % {"member": obj.member, "role": obj.role.name}

    def success_url(self, obj, result):
        return _holders_url(obj)


def _holders_url(assignment) -> str:
    from django.urls import reverse

    return reverse("governance:aimsrole-detail", args=[assignment.role_id]) + "?tab=holders"


# --- RACI ------------------------------------------------------------------------------------------------


class RaciView(OrganisationViewMixin, TemplateView):
    """AIMS processes × roles with each role's part; officers edit every cell at once."""

    model = RaciEntry
    url_base = "governance:raci"
    template_name = "governance/raci.html"

    def get(self, request, *args, **kwargs):
        self.require("view")
        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS:
                raise Http404
            self.require("export")
            rows = self.scoped_queryset().select_related("role").order_by("process", "role__reference")
            return export_response(rows, RACI_EXPORT, export, filename="raci")
        editing = request.GET.get("edit") == "1" and self.allowed("change")
        return self.render_page(editing=editing)

    def render_page(self, *, editing: bool, form=None, status=200):
        user, organisation = self.request.user, self.request.organisation
        matrix = raci_matrix(user=user, organisation=organisation)
        if editing and form is None:
            form = RaciForm(roles=matrix.roles, current=_current_cells(matrix))
        context = {
            **self.common_context(),
            "matrix": matrix,
            "form": form if editing else None,
            "can_change": self.allowed("change"),
            "export_formats": EXPORT_FORMATS,
        }
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, *args, **kwargs):
        self.require("change")
        matrix = raci_matrix(user=request.user, organisation=request.organisation)
        form = RaciForm(request.POST, roles=matrix.roles, current=_current_cells(matrix))
        if form.is_valid():
            try:
                with transaction.atomic():
                    changed = services.raci_save(
                        actor=request.user, organisation=request.organisation, cells=form.cells()
                    )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(
                    request,
                    ngettext("RACI saved (%(count)d part changed).", "RACI saved (%(count)d parts changed).", changed)
                    % {"count": changed},
                )
                return redirect("governance:raci")
        return self.render_page(editing=True, form=form, status=200)


def _current_cells(matrix) -> dict:
    return {
        (role.pk, row.process): code for row in matrix.rows for role, code in zip(matrix.roles, row.codes, strict=True)
    }
