"""Pieces shared by the audits pages: the organisation's time zone for dates and times, and the generic detail
and action views of the risk pages (a failed action re-renders the detail page with the form's errors)."""

from django.utils import timezone

from audits.deadlines import organisation_zone
from risk.views_base import FormsDetailView, ObjectActionView

__all__ = ["FormsDetailView", "ObjectActionView", "OrganisationTimeMixin"]


class OrganisationTimeMixin:
    """Shows and reads times in the organisation's time zone: an incident detected at 09:00 in London is
    entered and shown as 09:00, and a deadline reads as the local time it falls at."""

    def dispatch(self, request, *args, **kwargs):
        organisation = getattr(request, "organisation", None)
        if organisation is None:
            return super().dispatch(request, *args, **kwargs)
        with timezone.override(organisation_zone(organisation)):
            return super().dispatch(request, *args, **kwargs)
