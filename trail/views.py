"""The officer's page: the chain's head and a fresh verification of the organisation's trail."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from aims.permissions import can
from trail.models import TrailLink
from trail.services import chain_head, verify_chain


@login_required
def trail_status(request):
    organisation = request.organisation
    if organisation is None:
        raise Http404
    if not can(request.user, "export", TrailLink, organisation):
        raise PermissionDenied
    verification = None
    if request.method == "POST":
        verification = verify_chain(organisation)
    return render(
        request,
        "trail/status.html",
        {"head": chain_head(organisation), "verification": verification},
    )
