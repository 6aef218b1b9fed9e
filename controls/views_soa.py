"""Statement of Applicability pages: the working copy (38 lines), editing a line, approval, earlier approved
versions, and CSV/XLSX/PDF export of either."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from aims.crud import OrganisationViewMixin, RegisterFormView
from aims.history import history_entries
from aims.services import ServiceError
from controls import services
from controls.constants import ISO42001_KEY, SoAStatus
from controls.forms_work import SoALineForm
from controls.gap import OrganisationStatus, framework_readiness
from controls.models import Framework, SoALine, SoAVersion, StatementOfApplicability
from controls.reports import pdf_response, soa_pdf, soa_table_response
from controls.selectors_soa import group_by_section, soa_rows, soa_summary, soa_versions

EXPORTS = {"csv": "CSV", "xlsx": "Excel", "pdf": "PDF"}


def _readiness(organisation):
    framework = Framework.objects.shipped().filter(key=ISO42001_KEY).first()
    return framework_readiness(framework, OrganisationStatus(organisation)) if framework else None


class SoAView(OrganisationViewMixin, TemplateView):
    """The current SoA: every Annex A control with its decision, justification, controls and status."""

    model = StatementOfApplicability
    url_base = "controls:soa"
    template_name = "controls/soa.html"

    def get(self, request, *args, **kwargs):
        self.require("view")
        soa = services.soa_ensure(organisation=request.organisation, actor=request.user)
        rows = soa_rows(soa)
        export = request.GET.get("export")
        if export:
            return self.export(soa, rows, export)
        context = {
            **self.common_context(),
            "title": gettext("Statement of Applicability"),
            "soa": soa,
            "groups": group_by_section(rows),
            "summary": soa_summary(rows),
            "versions": list(soa_versions(soa)),
            "can_approve": self.allowed("approve", soa),
            "can_edit_lines": self.allowed("change", SoALine),
            "exports": EXPORTS,
            "show_history": request.GET.get("history") == "1",
        }
        if context["show_history"]:
            context["history"] = history_entries(soa)
        return render(request, self.template_name, context)

    def export(self, soa, rows, fmt):
        if fmt not in EXPORTS:
            raise Http404
        self.require("export")
        datas = [row.data for row in rows]
        label = f"v{soa.version}-{soa.status}"
        if fmt == "pdf":
            content = soa_pdf(
                organisation=self.request.organisation,
                rows=datas,
                version=soa.version,
                status=soa.status,
                approved_by=soa.approved_by if soa.status == SoAStatus.APPROVED else None,
                approved_at=soa.approved_at if soa.status == SoAStatus.APPROVED else None,
                readiness=_readiness(self.request.organisation),
            )
            return pdf_response(content, f"soa-{self.request.organisation.slug}-{label}.pdf")
        return soa_table_response(datas, fmt, organisation=self.request.organisation, version_label=label)


class SoAApproveView(OrganisationViewMixin, View):
    """POST: approve the working version (officers). Refused lines are listed in the message."""

    model = StatementOfApplicability
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        soa = services.soa_ensure(organisation=request.organisation, actor=request.user)
        self.require("approve", soa)
        try:
            with transaction.atomic():
                version = services.soa_approve(actor=request.user, soa=soa, note=request.POST.get("note", "")[:2000])
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("Version %(version)s of the Statement of Applicability approved.")
                % {"version": version.version},
            )
        return redirect("controls:soa")


class SoALineFormView(RegisterFormView):
    """Edit one line of the SoA (a change to an approved SoA starts the next draft)."""

    model = SoALine
    url_base = "controls:soaline"
    form_class = SoALineForm
    template_name = "controls/soaline_form.html"

    def base_queryset(self):
        return SoALine.objects.select_related("requirement", "soa", "owner")

    def get(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            raise Http404
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            raise Http404
        return super().post(request, *args, **kwargs)

    def render_form(self, form, obj, version=None):
        context = {**self.common_context(), "form": form, "object": obj, "soa": obj.soa}
        context.update(self.version_context(obj, version))
        return render(self.request, self.template_name, context)

    def update(self, obj, form):
        return services.soa_line_update(
            actor=self.request.user, line=obj, data=form.service_data(), controls=form.cleaned_data["controls"]
        )

    def success_url(self, obj):
        return reverse("controls:soa") + f"#line-{obj.requirement.identifier}"


class SoAVersionView(OrganisationViewMixin, TemplateView):
    """An approved version exactly as approved (its frozen lines), with its exports."""

    model = SoAVersion
    url_base = "controls:soaversion"
    template_name = "controls/soa_version.html"

    def get(self, request, *args, **kwargs):
        version = get_object_or_404(self.scoped_queryset().select_related("approved_by", "soa"), pk=kwargs["pk"])
        export = request.GET.get("export")
        if export:
            if export not in EXPORTS:
                raise Http404
            self.require("export")
            label = f"v{version.version}-approved"
            if export == "pdf":
                content = soa_pdf(
                    organisation=request.organisation,
                    rows=version.lines,
                    version=version.version,
                    status=SoAStatus.APPROVED,
                    approved_by=version.approved_by,
                    approved_at=version.approved_at,
                    note=version.note,
                )
                return pdf_response(content, f"soa-{request.organisation.slug}-{label}.pdf")
            return soa_table_response(version.lines, export, organisation=request.organisation, version_label=label)
        context = {
            **self.common_context(),
            "version": version,
            "groups": group_by_section(version.lines),
            "summary": soa_summary(version.lines),
            "exports": EXPORTS,
            "is_latest": not SoAVersion.objects.filter(soa=version.soa, version__gt=version.version).exists(),
        }
        return render(request, self.template_name, context)

    def require(self, action, obj=None):
        if not self.allowed(action, obj):
            raise PermissionDenied
