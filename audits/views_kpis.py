"""Pages of the KPI register (clause 9.1): the list with RAG status and trend, a KPI with its trend chart and
snapshots, recording a value, taking a snapshot and adding built-in KPIs. Thin: forms parse, services decide."""

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from aims.crud import Column, OrganisationViewMixin, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from aims.services import ServiceError
from audits import services
from audits.builtin_kpis import BUILTINS
from audits.charts import trend_chart_svg
from audits.filtersets import KPIFilterSet
from audits.forms_more import AddBuiltinForm, KPIForm, KPIValueForm
from audits.models import KPI
from audits.views_base import FormsDetailView, ObjectActionView, OrganisationTimeMixin

KPI_EXPORT = [
    ("Reference", "reference"),
    ("Name", "name"),
    ("Definition", "definition"),
    ("Measured", "kind"),
    ("Computation", "builtin_key"),
    ("Unit", "unit"),
    ("Direction", "direction"),
    ("Target", "target"),
    ("Amber threshold", "amber_threshold"),
    ("Red threshold", "red_threshold"),
    ("Latest value", "last_value"),
    ("Measured at", "last_taken_at"),
    ("Status", "rag"),
    ("Owner", "owner.username"),
    ("Objective", "objective.reference"),
    ("Active", "is_active"),
]
CHART_DAYS = 400


class KPIMixin(OrganisationTimeMixin):
    model = KPI
    url_base = "audits:kpi"

    def base_queryset(self):
        return KPI.objects.select_related("owner", "objective")


class KPIListView(KPIMixin, RegisterListView):
    title = gettext_lazy("KPIs")
    template_name = "audits/kpi_list.html"
    filterset_class = KPIFilterSet
    export_fields = KPI_EXPORT
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("name", gettext_lazy("KPI"), sort="name", template="audits/cells/kpi_name.html"),
        Column("last_value", gettext_lazy("Latest"), sort="last_value", template="audits/cells/kpi_value.html"),
        Column("target", gettext_lazy("Target"), template="audits/cells/kpi_target.html"),
        Column("rag", gettext_lazy("Status"), template="audits/cells/rag.html"),
        Column("trend", gettext_lazy("Trend"), template="audits/cells/kpi_trend.html"),
        Column("owner", gettext_lazy("Owner"), sort="owner__username"),
    ]

    def extra_context_data(self) -> dict:
        present = set(
            KPI.objects.visible_to(self.request.user, self.request.organisation)
            .exclude(builtin_key="")
            .values_list("builtin_key", flat=True)
        )
        missing = [(b.key, b.name) for b in BUILTINS.values() if b.key not in present]
        form = AddBuiltinForm()
        form.fields["key"].choices = missing
        return {"builtin_form": form if missing else None, "can_snapshot": self.allowed("change")}


class KPIDetailView(KPIMixin, FormsDetailView):
    template_name = "audits/kpi_detail.html"
    tabs = [
        Tab("overview", gettext_lazy("Trend"), "audits/tabs/kpi_overview.html"),
        Tab("snapshots", gettext_lazy("Values"), "audits/tabs/kpi_snapshots.html"),
    ]

    def page_context(self, obj) -> dict:
        return {"value_form": KPIValueForm(), "builtin": BUILTINS.get(obj.builtin_key)}

    def tab_context(self, obj, tab_key):
        if tab_key == "overview":
            since = timezone.now() - dt.timedelta(days=CHART_DAYS)
            rows = list(obj.snapshots.filter(taken_at__gte=since).order_by("taken_at").values("taken_on", "value"))
            points = [(row["taken_on"], row["value"]) for row in rows]
            return {
                "chart": trend_chart_svg(
                    points,
                    direction=obj.direction,
                    unit=obj.unit,
                    target=obj.target,
                    amber=obj.amber_threshold,
                    red=obj.red_threshold,
                    title=_("%(name)s: values over time") % {"name": obj.display_name},
                    id_prefix=f"kpi-{obj.reference}",
                ),
                "live": services.kpi_measure_now(obj),
            }
        if tab_key == "snapshots":
            return {"snapshots": obj.snapshots.select_related("taken_by").order_by("-taken_at")[:200]}
        return {}


class KPIFormView(KPIMixin, RegisterFormView):
    form_class = KPIForm
    create_service = staticmethod(services.kpi_create)
    update_service = staticmethod(services.kpi_update)
    object_kwarg = "kpi"


class KPIDeleteView(KPIMixin, RegisterDeleteView):
    delete_service = staticmethod(services.kpi_delete)
    object_kwarg = "kpi"


class KPIRecordValueView(KPIMixin, ObjectActionView):
    """POST: record a value of a manual KPI (its owner or an officer)."""

    form_class = KPIValueForm
    form_key = "value_form"
    detail_view = KPIDetailView
    tab = "overview"

    def perform(self, obj, form):
        data = form.cleaned_data
        return services.kpi_record_value(
            actor=self.request.user, kpi=obj, value=data["value"], taken_at=data.get("taken_at"), note=data["note"]
        )

    def success_message(self, obj, result):
        return _("Value recorded for %(reference)s.") % {"reference": obj.reference}


class KPISnapshotView(KPIMixin, ObjectActionView):
    """POST: compute and store the current value of a built-in KPI."""

    tab = "overview"

    def perform(self, obj, form):
        taken = services.kpi_snapshot_take(organisation=obj.organisation, kpi=obj, actor=self.request.user)
        if not taken:
            raise ServiceError(_("Nothing to measure yet: the computation has no data."))
        return taken[0]

    def success_message(self, obj, result):
        return _("Snapshot of %(reference)s taken.") % {"reference": obj.reference}


class KPISnapshotAllView(OrganisationTimeMixin, OrganisationViewMixin, View):
    """POST: take a snapshot of every active built-in KPI now."""

    model = KPI
    url_base = "audits:kpi"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.require("change")
        with transaction.atomic():
            taken = services.kpi_snapshot_take(organisation=request.organisation, actor=request.user)
        messages.success(
            request,
            ngettext("%(count)d snapshot taken.", "%(count)d snapshots taken.", len(taken)) % {"count": len(taken)},
        )
        return redirect("audits:kpi-list")


class KPIAddBuiltinView(OrganisationTimeMixin, OrganisationViewMixin, View):
    """POST: add a built-in KPI with its suggested definition and thresholds (officers)."""

    model = KPI
    url_base = "audits:kpi"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.require("add")
        form = AddBuiltinForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a built-in KPI."))
            return redirect("audits:kpi-list")
        try:
            with transaction.atomic():
                kpi = services.kpi_add_builtin(
                    actor=request.user,
                    organisation=request.organisation,
                    key=form.cleaned_data["key"],
                    owner=request.user,
                )
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("audits:kpi-list")
        messages.success(
            request, _("%(reference)s %(name)s added.") % {"reference": kpi.reference, "name": kpi.display_name}
        )
        return redirect("audits:kpi-detail", kpi.pk)
