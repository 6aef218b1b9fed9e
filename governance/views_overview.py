"""The documented-information index (clause 7.5) and the leadership view (clause 5.1): pages that read across
the registers. Thin: ``governance.docindex`` and ``governance.leadership`` compute, the templates show."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views import View

from aims.permissions import can
from governance.docindex import data_version, documented_information_index
from governance.leadership import leadership_view
from governance.models import Objective


class _MemberPage(LoginRequiredMixin, View):
    """A read-only page for every member of the current organisation."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.organisation is None:
            raise Http404
        if not can(request.user, "view", Objective, request.organisation):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DocumentedInformationView(_MemberPage):
    """Every kind of documented information the AIMS is expected to keep, with the record holding it."""

    def get(self, request):
        rows = documented_information_index(request.organisation)
        held = sum(1 for row in rows if row.state == "held")
        return render(
            request,
            "governance/documented_information.html",
            {"rows": rows, "held": held, "total": len(rows), "data_version": data_version()},
        )


class LeadershipView(_MemberPage):
    """Top management's view of the AIMS, from live data."""

    def get(self, request):
        return render(
            request,
            "governance/leadership.html",
            {"view": leadership_view(user=request.user, organisation=request.organisation)},
        )
