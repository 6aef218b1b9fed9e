"""Policy pages (clause 5.2; Annex A.2): the register of current versions, a policy with its text rendered
safely and its versions, editing drafts, and the review/approval transitions."""

from django.db.models import Prefetch
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from aims.crud import Column, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from controls import services
from controls.constants import PolicyStatus
from controls.filtersets_work import PolicyFilterSet
from controls.forms_work import PolicyForm
from controls.models import Policy, Requirement
from risk.views_base import FormsDetailView, ObjectActionView


class PolicyMixin:
    model = Policy
    url_base = "controls:policy"

    def base_queryset(self):
        return Policy.objects.select_related("owner", "approved_by", "document")


class PolicyListView(PolicyMixin, RegisterListView):
    title = _("Policies")
    filterset_class = PolicyFilterSet
    default_ordering = "reference"
    columns = [
        Column("reference", _("Ref"), sort="reference", template="controls/cells/policy_ref.html"),
        Column("title", _("Policy"), sort="title"),
        Column("kind", _("Kind"), sort="kind"),
        Column("version", _("Version"), sort="version"),
        Column("status", _("Status"), sort="status", template="controls/cells/policy_status.html"),
        Column("approved_at", _("Approved"), sort="approved_at", template="controls/cells/policy_approved.html"),
        Column("review_date", _("Next review"), sort="review_date", template="controls/cells/policy_review.html"),
        Column("owner", _("Owner"), sort="owner__username"),
    ]
    export_fields = [
        ("Reference", "reference"),
        ("Title", "title"),
        ("Kind", "kind"),
        ("Version", "version"),
        ("Status", "status"),
        ("Approved by", "approved_by.username"),
        ("Approved at", "approved_at"),
        ("Next review", "review_date"),
        ("Owner", "owner.username"),
        ("Requirements", lambda p: ", ".join(f"{r.framework.key}:{r.identifier}" for r in p.requirements.all())),
    ]

    def base_queryset(self):
        queryset = (
            super()
            .base_queryset()
            .prefetch_related(Prefetch("requirements", queryset=Requirement.objects.select_related("framework")))
        )
        every = self.request.GET.get("all_versions") in ("true", "1") or self.request.GET.get("status")
        return queryset if every else queryset.latest_versions()

    def ordering(self):
        ordering = super().ordering()
        return [*ordering[:-1], "-version", "pk"] if ordering[0] == "reference" else ordering


class PolicyDetailView(PolicyMixin, FormsDetailView):
    template_name = "controls/policy_detail.html"
    tabs = [
        Tab("text", _("Policy text"), "controls/tabs/policy_text.html"),
        Tab("versions", _("Versions"), "controls/tabs/policy_versions.html"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .prefetch_related(Prefetch("requirements", queryset=Requirement.objects.select_related("framework")))
        )

    def page_context(self, obj):
        editable = obj.is_editable
        return {
            "can_edit_text": editable and self.allowed("change", obj),
            "can_submit": obj.status == PolicyStatus.DRAFT and self.allowed("change", obj),
            "can_return": obj.status == PolicyStatus.IN_REVIEW and self.allowed("change", obj),
            "can_approve_policy": editable and self.allowed("approve", obj),
            "can_retire": obj.status == PolicyStatus.APPROVED and self.allowed("approve", obj),
            "can_new_version": not editable
            and self.allowed("add")
            and not Policy.objects.filter(
                organisation=obj.organisation, reference=obj.reference, status__in=["draft", "in_review"]
            ).exists(),
            "can_delete": editable and self.allowed("delete", obj),
            "can_change": False,  # editing goes through the header's own button (drafts only)
        }

    def tab_context(self, obj, tab_key):
        if tab_key == "versions":
            return {
                "versions": Policy.objects.filter(organisation=obj.organisation, reference=obj.reference)
                .select_related("approved_by", "owner")
                .order_by("-version")
            }
        return {}


class PolicyFormView(PolicyMixin, RegisterFormView):
    form_class = PolicyForm

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        if obj is not None and not obj.is_editable:
            return redirect(self.url("detail", obj.pk))
        return super().get(request, *args, **kwargs)

    def create(self, form):
        return services.policy_create(
            actor=self.request.user, organisation=self.request.organisation, data=form.service_data()
        )

    def update(self, obj, form):
        return services.policy_update(actor=self.request.user, policy=obj, data=form.service_data())


class PolicyDeleteView(PolicyMixin, RegisterDeleteView):
    def delete(self, obj):
        services.policy_delete(actor=self.request.user, policy=obj)


class PolicyTransitionView(PolicyMixin, ObjectActionView):
    """POST-only transitions; each calls one service."""

    tab = "text"
    # "%(policy)s" is the policy version the transition produced.
    message = _("%(policy)s changed.")

    def success_message(self, obj, result):
        return self.message % {"policy": result}


class PolicySubmitView(PolicyTransitionView):
    message = _("%(policy)s sent for review.")

    def perform(self, obj, form):
        return services.policy_submit(actor=self.request.user, policy=obj)


class PolicyReturnView(PolicyTransitionView):
    message = _("%(policy)s returned to draft.")

    def perform(self, obj, form):
        return services.policy_return_to_draft(
            actor=self.request.user, policy=obj, comment=self.request.POST.get("comment", "")[:80]
        )


class PolicyApproveView(PolicyTransitionView):
    permission_action = "approve"
    message = _("%(policy)s approved.")

    def perform(self, obj, form):
        return services.policy_approve(actor=self.request.user, policy=obj)


class PolicyRetireView(PolicyTransitionView):
    permission_action = "approve"
    message = _("%(policy)s retired.")

    def perform(self, obj, form):
        return services.policy_retire(
            actor=self.request.user, policy=obj, reason=self.request.POST.get("reason", "")[:80]
        )


class PolicyNewVersionView(PolicyTransitionView):
    permission_action = "view"  # checked below: adding a version needs "add"
    message = _("%(policy)s started.")

    def perform(self, obj, form):
        self.require("add")
        return services.policy_new_version(actor=self.request.user, policy=obj)

    def success_url(self, obj, result):
        return self.url("update", result.pk) if result is not None else self.url("detail", obj.pk)
