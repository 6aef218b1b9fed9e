"""Pages of evidence packs and dossiers: request, watch (htmx progress), download, verify. Thin: the services
decide; the views check the role, call them and render."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from aims.crud import OrganisationViewMixin
from aims.permissions import can
from aims.services import ServiceError
from registry.models import AISystem
from reports import services
from reports.forms import PackRequestForm
from reports.models import JobKind, JobStatus, ReportJob
from reports.verify import verify_job


def _jobs(request):
    return (
        ReportJob.objects.visible_to(request.user, request.organisation)
        .select_related("requested_by", "ai_system")
        .order_by("-created_at")
    )


def _systems(request):
    return AISystem.objects.visible_to(request.user, request.organisation).order_by("reference")


def pack_file_response(request, job, *, via: str):
    """The finished file as an attachment, the download recorded; None when not ready. 404 for members who may
    not download. Shared by the page and the API."""
    if not services.can_download(request.user, job):
        raise Http404
    path = services.file_of(job)
    if job.status != JobStatus.COMPLETE or path is None or not path.is_file():
        return None
    services.record_download(job, user=request.user, via=via, ip_address=request.META.get("REMOTE_ADDR"))
    content_type = "application/pdf" if job.kind == JobKind.DOSSIER else "application/zip"
    handle = open(path, "rb")  # noqa: SIM115 — FileResponse closes it
    response = FileResponse(handle, as_attachment=True, filename=job.file_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def system_dossier_tab(request, obj) -> dict:
    """Context of the "Dossier" tab on an AI system page (registered from ``ReportsConfig.ready``)."""
    organisation = request.organisation
    return {
        "dossiers": _jobs(request).filter(kind=JobKind.DOSSIER, ai_system=obj)[:10],
        "can_build_dossier": can(request.user, "add", ReportJob, organisation)
        or can(request.user, "export", ReportJob, organisation),
    }


class PackListView(OrganisationViewMixin, View):
    model = ReportJob

    def get(self, request, form=None):
        self.require("view")
        jobs = list(_jobs(request)[:50])
        return render(
            request,
            "reports/pack_list.html",
            {
                "jobs": jobs,
                "form": form or PackRequestForm(systems=_systems(request)),
                "can_request": self.allowed("add"),
            },
        )

    def post(self, request):
        self.require("add")
        form = PackRequestForm(request.POST, systems=_systems(request))
        if not form.is_valid():
            return self.get(request, form=form)
        try:
            job = services.request_pack(
                user=request.user,
                organisation=request.organisation,
                frameworks=form.cleaned_data["frameworks"],
                ai_systems=list(form.cleaned_data["ai_systems"]),
                as_of=form.cleaned_data["as_of"],
            )
        except ServiceError as exc:
            for field, errors in exc.as_detail().items():
                form.add_error(field if field in form.fields else None, errors)
            return self.get(request, form=form)
        messages.success(
            request, _("%(reference)s is queued; this page shows its progress.") % {"reference": job.reference}
        )
        return redirect(job.get_absolute_url())


class PackDetailView(OrganisationViewMixin, View):
    model = ReportJob

    def get(self, request, pk):
        job = get_object_or_404(_jobs(request), pk=pk)
        context = {
            "job": job,
            "can_download": services.can_download(request.user, job),
            "downloads": job.downloads.select_related("user")[:20],
        }
        template = "reports/partials/progress.html" if request.htmx else "reports/pack_detail.html"
        return render(request, template, context)


class PackDownloadView(OrganisationViewMixin, View):
    model = ReportJob

    def get(self, request, pk):
        job = get_object_or_404(_jobs(request), pk=pk)
        response = pack_file_response(request, job, via="web")
        if response is None:
            raise Http404(_("The pack is not ready."))
        return response


class PackVerifyView(OrganisationViewMixin, View):
    model = ReportJob

    def post(self, request, pk):
        job = get_object_or_404(_jobs(request), pk=pk)
        if not services.can_download(request.user, job):
            raise Http404
        result = verify_job(job)
        if result.ok:
            messages.success(
                request,
                _("%(reference)s: all %(checked)s files match their SHA-256.")
                % {"reference": job.reference, "checked": result.checked},
            )
        else:
            messages.error(request, f"{job.reference}: " + "; ".join(result.problems[:10]))
        return redirect(job.get_absolute_url())


class DossierRequestView(OrganisationViewMixin, View):
    """POST on an AI system: queue its dossier and show the job's progress page."""

    model = AISystem

    def post(self, request, pk):
        system = get_object_or_404(_systems(request), pk=pk)
        try:
            job = services.request_dossier(user=request.user, organisation=request.organisation, system=system)
        except ServiceError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(reverse("registry:aisystem-detail", args=[system.pk]) + "?tab=dossier")
        messages.success(
            request,
            _("The dossier of %(reference)s is queued (%(job)s).")
            % {"reference": system.reference, "job": job.reference},
        )
        return redirect(job.get_absolute_url())
