"""Pages of one checklist line (where the auditor records a result) and of audit findings."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views import View

from aims.crud import Column, OrganisationViewMixin, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from aims.forms import apply_service_error
from aims.services import ServiceError
from audits import services
from audits.constants import AuditStatus
from audits.filtersets import FindingFilterSet
from audits.forms import ChecklistResultForm, FindingForm
from audits.models import ChecklistItem, Finding
from audits.views_base import FormsDetailView, OrganisationTimeMixin
from controls.models import Control, Evidence

FINDING_EXPORT = [
    ("Reference", "reference"),
    ("Audit", "audit.reference"),
    ("Kind", "kind"),
    ("Title", "title"),
    ("Requirement", lambda f: f.requirement.identifier if f.requirement else ""),
    ("Description", "description"),
    ("Raised by", "raised_by.username"),
    ("Raised on", "raised_on"),
    ("Nonconformity", lambda f: getattr(getattr(f, "nonconformity", None), "reference", "")),
]


# --- The checklist ------------------------------------------------------------------------------------------


class ChecklistItemView(OrganisationTimeMixin, OrganisationViewMixin, View):
    """One checklist line: the requirement, the controls and evidence behind it, and the auditor's result."""

    model = ChecklistItem
    url_base = "audits:audit"
    template_name = "audits/checklist_item.html"

    def get_object(self):
        return get_object_or_404(
            self.scoped_queryset().select_related(
                "audit", "requirement__framework", "recorded_by", "independence_acknowledged_by"
            ),
            pk=self.kwargs["pk"],
        )

    def render_page(self, item, form, status=200):
        organisation = self.request.organisation
        controls = (
            Control.objects.filter(organisation=organisation, requirements=item.requirement)
            .select_related("owner")
            .order_by("reference")
        )
        suggested = (
            Evidence.objects.filter(organisation=organisation)
            .filter(Q(requirements=item.requirement) | Q(controls__requirements=item.requirement))
            .distinct()
            .order_by("reference")
        )
        context = {
            **self.common_context(),
            "item": item,
            "audit": item.audit,
            "form": form,
            "controls": controls,
            "suggested_evidence": suggested,
            "consulted": item.evidence.order_by("reference"),
            "conflicts": services.independence_conflicts(item.audit, self.request.user, item.requirement),
            "can_record": self.allowed("change", item) and item.audit.is_open,
            "neighbours": _neighbours(item),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        item = self.get_object()
        form = ChecklistResultForm(
            organisation=request.organisation,
            initial={
                "result": item.result,
                "notes": item.notes,
                "sampled_records": item.sampled_records,
                "evidence": [e.pk for e in item.evidence.all()],
            },
        )
        return self.render_page(item, form)

    def post(self, request, *args, **kwargs):
        item = self.get_object()
        self.require("change", item)
        form = ChecklistResultForm(request.POST, organisation=request.organisation)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    saved = services.checklist_record(
                        actor=request.user,
                        item=item,
                        data={
                            "result": data["result"],
                            "notes": data["notes"],
                            "sampled_records": data["sampled_records"],
                            "evidence": list(data["evidence"]),
                        },
                        acknowledge_independence=data["acknowledge_independence"],
                    )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"{saved.requirement.identifier}: {saved.get_result_display().lower()}.")
                next_item = _neighbours(saved)["next"]
                if request.POST.get("then") == "next" and next_item is not None:
                    return redirect("audits:checklistitem-detail", next_item.pk)
                return redirect(reverse("audits:audit-detail", args=[saved.audit_id]) + "?tab=checklist")
        return self.render_page(self.get_object(), form, status=200)


def _neighbours(item) -> dict:
    ids = list(ChecklistItem.objects.filter(audit_id=item.audit_id).order_by("position").values_list("pk", flat=True))
    index = ids.index(item.pk) if item.pk in ids else -1
    previous_id = ids[index - 1] if index > 0 else None
    next_id = ids[index + 1] if 0 <= index < len(ids) - 1 else None
    return {
        "previous": ChecklistItem(pk=previous_id) if previous_id else None,
        "next": ChecklistItem(pk=next_id) if next_id else None,
        "position": index + 1,
        "total": len(ids),
    }


# --- Findings --------------------------------------------------------------------------------------------------


class FindingMixin(OrganisationTimeMixin):
    model = Finding
    url_base = "audits:finding"

    def base_queryset(self):
        return Finding.objects.select_related("audit", "requirement__framework", "raised_by", "nonconformity")


class FindingListView(FindingMixin, RegisterListView):
    title = gettext_lazy("Audit findings")
    filterset_class = FindingFilterSet
    export_fields = FINDING_EXPORT
    default_ordering = "-raised_on"
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("title", gettext_lazy("Finding"), sort="title", template="audits/cells/title.html"),
        Column("kind", gettext_lazy("Kind"), sort="kind", template="audits/cells/finding_kind.html"),
        Column("audit", gettext_lazy("Audit"), sort="audit__reference", template="audits/cells/finding_audit.html"),
        Column("nonconformity", gettext_lazy("Nonconformity"), template="audits/cells/finding_nc.html"),
        Column("raised_on", gettext_lazy("Raised"), sort="raised_on"),
    ]

    def common_context(self) -> dict:
        return {**super().common_context(), "can_add": False}  # findings are raised from an audit


class FindingDetailView(FindingMixin, FormsDetailView):
    template_name = "audits/finding_detail.html"
    tabs = [Tab("overview", gettext_lazy("Finding"), "audits/tabs/finding_overview.html")]

    def page_context(self, obj) -> dict:
        editable = obj.audit.status not in (AuditStatus.REPORTED, AuditStatus.CLOSED)
        return {
            "can_change": self.allowed("change", obj) and editable,
            "can_delete": self.allowed("delete", obj) and editable and not obj.checklist_item_id,
        }


class FindingFormView(FindingMixin, RegisterFormView):
    """Edit a finding; new ones are raised from their audit's page."""

    form_class = FindingForm
    update_service = staticmethod(services.finding_update)
    object_kwarg = "finding"

    def get(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            return redirect(_audit_findings_url(request))
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            raise Http404
        return super().post(request, *args, **kwargs)


def _audit_findings_url(request) -> str:
    try:
        audit_id = uuid.UUID(request.GET.get("audit") or "")
    except ValueError:
        return reverse("audits:audit-list")
    return reverse("audits:audit-detail", args=[audit_id]) + "?tab=findings"


class FindingDeleteView(FindingMixin, RegisterDeleteView):
    delete_service = staticmethod(services.finding_delete)
    object_kwarg = "finding"
