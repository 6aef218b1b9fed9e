"""What holds the documented-information items of clauses 9.1, 9.2.2, 9.3.3 and 10.2 (governance's index asks;
``AuditsConfig.ready`` registers these). Each holder runs one or two queries."""

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.constants import AuditStatus, NCStatus, ProgrammeStatus, ReviewStatus
from governance.docindex import Holding, register_holder


def monitoring_results_holding(organisation):
    from audits.models import KPI, KPISnapshot

    totals = KPISnapshot.objects.filter(organisation=organisation).aggregate(n=Count("pk"), latest=Max("taken_at"))
    if not totals["n"]:
        return None
    kpis = KPI.objects.filter(organisation=organisation, is_active=True).count()
    return Holding(
        ngettext("%(values)d KPI value of %(kpis)d KPIs", "%(values)d KPI values of %(kpis)d KPIs", totals["n"])
        % {"values": totals["n"], "kpis": kpis},
        reverse("audits:kpi-list"),
        "",
        totals["latest"],
    )


def audit_programme_holding(organisation):
    from audits.models import Audit, AuditProgramme

    programme = AuditProgramme.objects.filter(organisation=organisation).order_by("-period_start").first()
    if programme is None:
        return None
    reported = Audit.objects.filter(
        organisation=organisation, status__in=[AuditStatus.REPORTED, AuditStatus.CLOSED]
    ).aggregate(n=Count("pk"), latest=Max("reported_at"))
    note = ngettext("%(count)d audit report issued.", "%(count)d audit reports issued.", reported["n"]) % {
        "count": reported["n"]
    }
    if programme.status == ProgrammeStatus.DRAFT:
        return Holding(
            _("%(programme)s (draft)") % {"programme": programme},
            reverse("audits:programme-detail", args=[programme.pk]),
            "",
            programme.updated_at,
            note=_("The programme is not approved yet. %(note)s") % {"note": note},
            complete=False,
        )
    return Holding(
        str(programme),
        reverse("audits:programme-detail", args=[programme.pk]),
        "",
        reported["latest"] or programme.approved_at,
        note=note,
    )


def management_review_holding(organisation):
    from audits.models import ManagementReview

    review = (
        ManagementReview.objects.filter(organisation=organisation, status=ReviewStatus.HELD)
        .order_by("-held_on")
        .first()
    )
    if review is None:
        return None
    return Holding(str(review), reverse("audits:review-detail", args=[review.pk]), "", review.held_on)


def nonconformities_holding(organisation):
    from audits.models import Nonconformity

    totals = Nonconformity.objects.filter(organisation=organisation).aggregate(
        n=Count("pk"), closed=Count("pk", filter=Q(status=NCStatus.CLOSED)), latest=Max("updated_at")
    )
    if not totals["n"]:
        return None
    return Holding(
        ngettext(
            "%(count)d nonconformity (%(closed)d closed)", "%(count)d nonconformities (%(closed)d closed)", totals["n"]
        )
        % {"count": totals["n"], "closed": totals["closed"]},
        reverse("audits:nonconformity-list"),
        "",
        totals["latest"],
    )


def register_audit_holders() -> None:
    register_holder("monitoring_results", monitoring_results_holding)
    register_holder("audit_programme", audit_programme_holding)
    register_holder("management_review", management_review_holding)
    register_holder("nonconformities", nonconformities_holding)
