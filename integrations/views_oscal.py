"""The OSCAL page: download buttons for each document, and the import of a catalog as an own framework."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from aims.permissions import can
from integrations import oscal
from integrations.forms import OscalImportForm
from integrations.services.oscal_documents import build


def _page(request, form=None, result=None, status=200):
    from audits.models import Audit
    from controls.models import Framework

    organisation = request.organisation
    context = {
        "kinds": oscal.KINDS,
        "frameworks": Framework.objects.visible_to(request.user, organisation).order_by(
            F("organisation_id").asc(nulls_last=True), "name"
        ),
        "audits": Audit.objects.visible_to(request.user, organisation).order_by("-created_at")[:50],
        "can_import": can(request.user, "add", Framework, organisation),
        "form": form or OscalImportForm(),
        "result": result,
    }
    return render(request, "integrations/oscal.html", context, status=status)


@login_required
def oscal_page(request):
    if request.organisation is None:
        raise Http404
    return _page(request)


@login_required
def oscal_download(request, kind):
    if request.organisation is None:
        raise Http404
    try:
        document, name = build(request.user, request.organisation, kind, request.GET)
    except oscal.OscalError as exc:
        messages.error(request, str(exc))
        return redirect("integrations:oscal")
    response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    return response


@login_required
def oscal_import(request):
    from controls.models import Framework

    if request.organisation is None:
        raise Http404
    if not can(request.user, "add", Framework, request.organisation):
        raise PermissionDenied
    if request.method != "POST":
        return redirect("integrations:oscal")
    form = OscalImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    result = oscal.import_catalog(
        actor=request.user,
        organisation=request.organisation,
        content=form.cleaned_data["file"].read(),
        key=form.cleaned_data["key"],
        dry_run=form.cleaned_data["dry_run"],
    )
    if result.ok and not result.dry_run:
        messages.success(
            request,
            gettext("Imported %(framework)s: %(created)s created, %(updated)s updated.")
            % {"framework": result.framework, "created": result.created, "updated": result.updated},
        )
        return redirect("controls:framework-detail", result.framework.pk)
    return _page(request, form, result, status=200 if result.ok else 400)
