"""Pages of the AIMS context (ISO/IEC 42001 clause 4): the scope page with its versions, the context issue
register and the interested party register. Thin: selectors read, services change."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from aims.crud import (
    Column,
    OrganisationViewMixin,
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    Tab,
)
from aims.exports import EXPORT_FORMATS, export_response
from aims.services import ServiceError
from registry import services
from registry.constants import ScopeStatus
from registry.filtersets import ContextIssueFilterSet, InterestedPartyFilterSet
from registry.forms_context import ContextIssueForm, InterestedPartyForm, ScopeStatementForm
from registry.models import ContextIssue, InterestedParty, ScopeStatement
from registry.selectors import scope_draft_initial, scope_overview_for_user

SCOPE_EXPORT = [
    ("Version", "version"),
    ("Status", "status"),
    ("Boundaries", "boundaries"),
    ("Organisational units", "units"),
    ("Locations", "locations"),
    ("AI roles", "ai_roles"),
    ("Exclusions and reasons", "exclusions"),
    ("Approved by", "approved_by.username"),
    ("Approved at", "approved_at"),
    ("Created at", "created_at"),
]

CONTEXT_ISSUE_EXPORT = [
    ("Reference", "reference"),
    ("Title", "title"),
    ("Kind", "kind"),
    ("Description", "description"),
    ("Effect on the AIMS", "effect_on_aims"),
    ("Owner", "owner.username"),
    ("Next review", "next_review"),
]

INTERESTED_PARTY_EXPORT = [
    ("Reference", "reference"),
    ("Name", "name"),
    ("Kind", "kind"),
    ("Relevant requirements", "requirements"),
    ("Addressed by the AIMS", "addressed"),
    ("How addressed", "how_addressed"),
    ("Owner", "owner.username"),
]


# --- The AIMS scope ------------------------------------------------------------------------------------


class ScopeMixin:
    model = ScopeStatement
    url_base = "registry:scope"  # "registry:scope" is the scope page; "-list" is the same page

    def base_queryset(self):
        return ScopeStatement.objects.select_related("approved_by")


class ScopePageView(ScopeMixin, OrganisationViewMixin, TemplateView):
    """The current approved scope, a draft in progress, earlier versions, and the systems inside and outside."""

    template_name = "registry/context/scope.html"

    def get(self, request, *args, **kwargs):
        self.require("view")
        export = request.GET.get("export")
        if export:
            if export not in EXPORT_FORMATS:
                raise Http404
            self.require("export")
            rows = self.scoped_queryset().order_by("-version")
            return export_response(rows, SCOPE_EXPORT, export, filename="aims-scope")
        overview = scope_overview_for_user(user=request.user, organisation=request.organisation)
        draft = overview.draft
        context = {
            **self.common_context(),
            "overview": overview,
            "can_change_draft": draft is not None and self.allowed("change", draft),
            "can_delete_draft": draft is not None and self.allowed("delete", draft),
            "can_approve": draft is not None and self.allowed("approve", draft),
            "export_formats": EXPORT_FORMATS,
        }
        return render(request, self.template_name, context)


class ScopeStatementDetailView(ScopeMixin, RegisterDetailView):
    """One version, read-only once approved; the History tab shows who drafted, edited and approved it."""

    template_name = "registry/context/scope_detail.html"
    tabs = [Tab("overview", _("Statement"), "registry/context/scope_overview.html")]

    def allowed(self, action, obj=None) -> bool:
        # Only a draft offers Edit and Delete; an approved or superseded version is a record of what was agreed.
        if obj is not None and action in ("change", "delete", "approve") and obj.status != ScopeStatus.DRAFT:
            return False
        return super().allowed(action, obj)


class ScopeStatementFormView(ScopeMixin, RegisterFormView):
    """Start a new version (prefilled from the current approved one) or edit the draft."""

    form_class = ScopeStatementForm

    def get_form(self, obj, data=None, files=None):
        initial = scope_draft_initial(self.request.organisation) if obj is None else None
        return self.form_class(data, files, instance=obj, initial=initial, organisation=self.request.organisation)

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        self.require("change" if obj else "add", obj)
        if obj is not None and obj.status != ScopeStatus.DRAFT:
            messages.info(request, gettext("An approved scope is not edited: start a new version instead."))
            return redirect(self.url("detail", obj.pk))
        if obj is None:
            draft = self.scoped_queryset().filter(status=ScopeStatus.DRAFT).first()
            if draft is not None:
                messages.info(
                    request, gettext("Version %(version)s is already a draft in progress.") % {"version": draft.version}
                )
                return redirect(self.url("update", draft.pk))
        return self.render_form(self.get_form(obj), obj)

    create_service = staticmethod(services.scope_draft_create)
    update_service = staticmethod(services.scope_update)
    object_kwarg = "scope"

    def success_url(self, obj) -> str:
        return reverse("registry:scope")


class ScopeStatementApproveView(ScopeMixin, OrganisationViewMixin, View):
    """POST only: approve the draft (officers); the previously approved version becomes superseded."""

    def post(self, request, *args, **kwargs):
        scope = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        self.require("approve", scope)
        try:
            with transaction.atomic():
                services.scope_approve(actor=request.user, scope=scope)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, gettext("Version %(version)s of the AIMS scope approved.") % {"version": scope.version}
            )
        return redirect("registry:scope")


class ScopeStatementDeleteView(ScopeMixin, RegisterDeleteView):
    delete_service = staticmethod(services.scope_draft_delete)
    object_kwarg = "scope"


# --- Context issues ------------------------------------------------------------------------------------


class ContextIssueMixin:
    model = ContextIssue
    url_base = "registry:contextissue"

    def base_queryset(self):
        return ContextIssue.objects.select_related("owner")


class ContextIssueListView(ContextIssueMixin, RegisterListView):
    title = _("Context issues")
    filterset_class = ContextIssueFilterSet
    export_fields = CONTEXT_ISSUE_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("title", _("Issue"), sort="title", template="registry/cells/name.html"),
        Column("kind", _("Kind"), sort="kind"),
        Column("effect_on_aims", _("Effect on the AIMS"), template="registry/context/cells/effect.html"),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("next_review", _("Next review"), sort="next_review", template="registry/cells/next_review.html"),
    ]


class ContextIssueDetailView(ContextIssueMixin, RegisterDetailView):
    tabs = [Tab("overview", _("Overview"), "registry/context/contextissue_overview.html")]


class ContextIssueFormView(ContextIssueMixin, RegisterFormView):
    form_class = ContextIssueForm

    create_service = staticmethod(services.context_issue_create)
    update_service = staticmethod(services.context_issue_update)
    object_kwarg = "issue"


class ContextIssueDeleteView(ContextIssueMixin, RegisterDeleteView):
    delete_service = staticmethod(services.context_issue_delete)
    object_kwarg = "issue"


# --- Interested parties --------------------------------------------------------------------------------


class InterestedPartyMixin:
    model = InterestedParty
    url_base = "registry:interestedparty"

    def base_queryset(self):
        return InterestedParty.objects.select_related("owner")


class InterestedPartyListView(InterestedPartyMixin, RegisterListView):
    title = _("Interested parties")
    filterset_class = InterestedPartyFilterSet
    export_fields = INTERESTED_PARTY_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("name", _("Name"), sort="name", template="registry/cells/name.html"),
        Column("kind", _("Kind"), sort="kind"),
        Column("requirements", _("Relevant requirements"), template="registry/context/cells/requirements.html"),
        Column("addressed", _("Addressed"), sort="addressed", template="registry/context/cells/addressed.html"),
        Column("owner", _("Owner"), sort="owner__username"),
    ]


class InterestedPartyDetailView(InterestedPartyMixin, RegisterDetailView):
    tabs = [Tab("overview", _("Overview"), "registry/context/interestedparty_overview.html")]


class InterestedPartyFormView(InterestedPartyMixin, RegisterFormView):
    form_class = InterestedPartyForm

    create_service = staticmethod(services.interested_party_create)
    update_service = staticmethod(services.interested_party_update)
    object_kwarg = "party"


class InterestedPartyDeleteView(InterestedPartyMixin, RegisterDeleteView):
    delete_service = staticmethod(services.interested_party_delete)
    object_kwarg = "party"
