"""The administrator's page: export everything of the organisation, schedule or cancel its deletion."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from aims.forms import apply_service_error
from aims.permissions import can
from aims.services import ServiceError
from stewardship import services
from stewardship.forms import DeletionRequestForm


def _organisation_for_admin(request):
    organisation = request.organisation
    if organisation is None:
        raise Http404
    if not can(request.user, "manage", Organisation, organisation):
        raise PermissionDenied
    return organisation


def export_response(organisation):
    """The organisation's export as a ZIP download (shared by the page and the API)."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it once sent
    services.export_organisation(organisation, spool)
    spool.seek(0)
    filename = f"aims-export-{organisation.slug}-{timezone.now():%Y%m%d-%H%M%S}.zip"
    return FileResponse(spool, as_attachment=True, filename=filename, content_type="application/zip")


@login_required
def home(request):
    organisation = _organisation_for_admin(request)
    form = DeletionRequestForm()
    if request.method == "POST":
        form = DeletionRequestForm(request.POST)
        if form.is_valid():
            try:
                deletion = services.request_deletion(
                    organisation=organisation, actor=request.user, confirm=form.cleaned_data["confirm"]
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.warning(
                    request,
                    _(
                        "%(organisation)s and all its data will be deleted on %(due)s UTC "
                        "unless the deletion is cancelled before then."
                    )
                    % {"organisation": organisation.name, "due": f"{deletion.due_at:%Y-%m-%d %H:%M}"},
                )
                return redirect("stewardship:home")
    return render(
        request,
        "stewardship/home.html",
        {"pending": services.pending_deletion(organisation), "form": form, "grace_days": services.grace_days()},
    )


@login_required
def export(request):
    return export_response(_organisation_for_admin(request))


@require_POST
@login_required
def cancel(request):
    organisation = _organisation_for_admin(request)
    try:
        services.cancel_deletion(organisation=organisation, actor=request.user)
    except ServiceError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The deletion was cancelled. Nothing will be deleted."))
    return redirect("stewardship:home")
