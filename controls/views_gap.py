"""The gap analysis page (readiness per framework and clause/section, what each gap lacks) and the roadmap
(gaps ranked by risk, planned actions grouped by phase)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from aims.crud import Column, OrganisationViewMixin, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from aims.exports import EXPORT_FORMATS, export_response
from controls import services
from controls.charts import framework_bars, readiness_bar_chart, section_bars
from controls.constants import ISO42001_KEY, GapKind
from controls.filtersets_work import RoadmapPageFilterSet
from controls.forms_work import RoadmapActionForm
from controls.gap import OrganisationStatus, framework_readiness, readiness_overview
from controls.models import Framework, Requirement, RoadmapAction
from controls.reports import _Rows
from controls.selectors_roadmap import ranked_gaps, roadmap_by_phase
from controls.views import as_uuid
from risk.views_base import FormsDetailView


def _gap_url(framework_key: str, section: str = "") -> str:
    params = {"framework": framework_key}
    if section:
        params["section"] = section
    return reverse("controls:gap-analysis") + "?" + urlencode(params)


GAP_EXPORT = [
    ("Framework", lambda g: g["framework"]),
    ("Requirement", lambda g: g["identifier"]),
    ("Title", lambda g: g["title"]),
    ("Section", lambda g: g["section"]),
    ("Ready", lambda g: g["ready"]),
    ("Missing", lambda g: g["missing"]),
    ("Controls", lambda g: g["controls"]),
    ("Evidence", lambda g: g["evidence"]),
    ("Covered through the crosswalk by", lambda g: g["covered_by"]),
]


class GapAnalysisView(OrganisationViewMixin, TemplateView):
    """Readiness of every framework (bar chart), then one framework by clause/section with its gaps."""

    model = Requirement
    url_base = "controls:requirement"
    template_name = "controls/gap_analysis.html"

    def get(self, request, *args, **kwargs):
        self.require("view")
        overview = readiness_overview(user=request.user, organisation=request.organisation)
        key = request.GET.get("framework") or ISO42001_KEY
        selected = next((r for r in overview if r.framework.key == key), overview[0] if overview else None)
        if request.GET.get("framework") and selected is not None and selected.framework.key != key:
            raise Http404
        section = request.GET.get("section", "")
        only_gaps = request.GET.get("show") != "all"
        context = {
            **self.common_context(),
            "title": gettext("Gap analysis"),
            "overview": overview,
            "selected": selected,
            "section": section,
            "only_gaps": only_gaps,
            "export_formats": EXPORT_FORMATS,
        }
        if selected is not None:
            items = [i for i in selected.items if not section or i.section == section]
            if only_gaps:
                items = [i for i in items if not i.ready]
            context["items"] = items
            context["overview_chart"] = readiness_bar_chart(
                framework_bars(overview, url_for=lambda r: _gap_url(r.framework.key)),
                title=gettext("Readiness by framework"),
                id_prefix="readiness-frameworks",
            )
            context["section_chart"] = readiness_bar_chart(
                section_bars(selected.sections, url_for=lambda s: _gap_url(selected.framework.key, s.identifier)),
                title=gettext("Readiness of %(framework)s by clause and section")
                % {"framework": selected.framework.name},
                id_prefix="readiness-sections",
            )
            export = request.GET.get("export")
            if export:
                if export not in EXPORT_FORMATS:
                    raise Http404
                self.require("export")
                rows = _Rows(_export_row(selected.framework, item) for item in items)
                return export_response(rows, GAP_EXPORT, export, filename=f"gaps-{selected.framework.key}")
        return render(request, self.template_name, context)


def _export_row(framework, item) -> dict:
    return {
        "framework": framework.key,
        "identifier": item.identifier,
        "title": item.title,
        "section": item.section,
        "ready": "yes" if item.ready else "no",
        "missing": ", ".join(item.gap_labels),
        "controls": ", ".join(f"{c.reference} ({c.status})" for c in item.check.controls),
        "evidence": ", ".join(f"{e.reference} ({e.state})" for e in item.check.evidence),
        "covered_by": ", ".join(f"{key}:{identifier}" for key, identifier, _ready in item.covered_by),
    }


class RoadmapView(OrganisationViewMixin, TemplateView):
    """The roadmap: planned actions by phase, and the gaps still without an action, most urgent first."""

    model = RoadmapAction
    url_base = "controls:roadmapaction"
    template_name = "controls/roadmap.html"

    def get(self, request, *args, **kwargs):
        self.require("view")
        organisation = request.organisation
        key = request.GET.get("framework") or ISO42001_KEY
        framework = (
            Framework.objects.visible_to(request.user, organisation).filter(key=key).order_by("organisation").first()
        )
        gaps = []
        if framework is not None:
            readiness = framework_readiness(framework, OrganisationStatus(organisation))
            gaps = ranked_gaps(readiness, organisation=organisation)
        actions = (
            RoadmapAction.objects.visible_to(request.user, organisation)
            .select_related("owner", "requirement__framework", "control")
            .order_by("phase", "due_date", "reference")
        )
        context = {
            **self.common_context(),
            "title": gettext("Roadmap"),
            "framework": framework,
            "phases": roadmap_by_phase(actions),
            "unplanned": [g for g in gaps if not g.planned],
            "planned_gap_count": sum(1 for g in gaps if g.planned),
            "frameworks": Framework.objects.visible_to(request.user, organisation).order_by("name"),
        }
        return render(request, self.template_name, context)


class RoadmapActionMixin:
    model = RoadmapAction
    url_base = "controls:roadmapaction"

    def base_queryset(self):
        return RoadmapAction.objects.select_related("owner", "requirement__framework", "control")


class RoadmapActionListView(RoadmapActionMixin, RegisterListView):
    title = _("Roadmap actions")
    filterset_class = RoadmapPageFilterSet
    default_ordering = "phase"
    columns = [
        Column("reference", _("Ref"), sort="reference", template="controls/cells/roadmap_ref.html"),
        Column("title", _("Action"), sort="title"),
        Column("phase", _("Phase"), sort="phase"),
        Column("status", _("Status"), sort="status", template="controls/cells/roadmap_status.html"),
        Column("due_date", _("Due"), sort="due_date", template="controls/cells/roadmap_due.html"),
        Column("owner", _("Owner"), sort="owner__username"),
        Column("requirement", _("Gap in"), template="controls/cells/roadmap_requirement.html"),
    ]
    export_fields = [
        ("Reference", "reference"),
        ("Title", "title"),
        ("Phase", "phase"),
        ("Status", "status"),
        ("Due", "due_date"),
        ("Owner", "owner.username"),
        ("Framework", "requirement.framework.key"),
        ("Requirement", "requirement.identifier"),
        ("Gap", "gap_kind"),
        ("Control", "control.reference"),
    ]

    def ordering(self):
        ordering = super().ordering()
        return ["phase", "due_date", "reference", "pk"] if ordering[0] == "phase" else ordering


class RoadmapActionDetailView(RoadmapActionMixin, FormsDetailView):
    template_name = "controls/roadmapaction_detail.html"
    tabs = [Tab("overview", _("Overview"), "controls/tabs/roadmap_overview.html")]


class RoadmapActionFormView(RoadmapActionMixin, RegisterFormView):
    form_class = RoadmapActionForm

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj is None:
            requirement_id = as_uuid(self.request.GET.get("requirement"))
            if requirement_id:
                requirement = (
                    Requirement.objects.visible_to(self.request.user, self.request.organisation)
                    .filter(pk=requirement_id)
                    .first()
                )
                if requirement is not None:
                    initial["requirement"] = requirement
                    gap = self.request.GET.get("gap", "")
                    if gap in GapKind.values:
                        initial["gap_kind"] = gap
                        initial["title"] = services.gap_title(requirement, gap)
            control_id = as_uuid(self.request.GET.get("control"))
            if control_id:
                initial["control"] = control_id
            if self.request.GET.get("phase"):
                initial["phase"] = self.request.GET["phase"]
        return self.form_class(data, files, instance=obj, organisation=self.request.organisation, initial=initial)

    def create(self, form):
        return services.roadmap_action_create(
            actor=self.request.user, organisation=self.request.organisation, data=form.service_data()
        )

    def update(self, obj, form):
        return services.roadmap_action_update(actor=self.request.user, action=obj, data=form.service_data())


class RoadmapActionDeleteView(RoadmapActionMixin, RegisterDeleteView):
    def delete(self, obj):
        services.roadmap_action_delete(actor=self.request.user, action=obj)
