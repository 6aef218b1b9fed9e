from django.urls import path
from django.views.generic import RedirectView

from aims.crud import register_urls
from audits import views_audits as a
from audits import views_checklist as c
from audits import views_improvement as i
from audits import views_incidents as inc
from audits import views_kpis as k
from audits import views_reviews as r

app_name = "audits"

urlpatterns = [
    # The audit programme.
    *register_urls(
        "programmes",
        "programme",
        list_view=a.ProgrammeListView,
        detail_view=a.ProgrammeDetailView,
        form_view=a.ProgrammeFormView,
        delete_view=a.ProgrammeDeleteView,
    ),
    path("programmes/<uuid:pk>/approve/", a.ProgrammeApproveView.as_view(), name="programme-approve"),
    # Checklist lines and findings.
    path("checklist/<uuid:pk>/", c.ChecklistItemView.as_view(), name="checklistitem-detail"),
    *register_urls(
        "findings",
        "finding",
        list_view=c.FindingListView,
        detail_view=c.FindingDetailView,
        form_view=c.FindingFormView,
        delete_view=c.FindingDeleteView,
    ),
    # Nonconformities and corrective actions.
    *register_urls(
        "nonconformities",
        "nonconformity",
        list_view=i.NonconformityListView,
        detail_view=i.NonconformityDetailView,
        form_view=i.NonconformityFormView,
        delete_view=i.NonconformityDeleteView,
    ),
    path(
        "nonconformities/<uuid:pk>/actions/new/",
        i.NonconformityAddActionView.as_view(),
        name="nonconformity-add-action",
    ),
    path("nonconformities/<uuid:pk>/close/", i.NonconformityCloseView.as_view(), name="nonconformity-close"),
    path("nonconformities/<uuid:pk>/reopen/", i.NonconformityReopenView.as_view(), name="nonconformity-reopen"),
    *register_urls(
        "corrective-actions",
        "correctiveaction",
        list_view=i.CorrectiveActionListView,
        detail_view=i.CorrectiveActionDetailView,
        form_view=i.CorrectiveActionFormView,
        delete_view=i.CorrectiveActionDeleteView,
    ),
    path(
        "corrective-actions/<uuid:pk>/complete/",
        i.CorrectiveActionCompleteView.as_view(),
        name="correctiveaction-complete",
    ),
    path(
        "corrective-actions/<uuid:pk>/verify/", i.CorrectiveActionVerifyView.as_view(), name="correctiveaction-verify"
    ),
    # KPIs.
    path("kpis/snapshot/", k.KPISnapshotAllView.as_view(), name="kpi-snapshot-all"),
    path("kpis/add-builtin/", k.KPIAddBuiltinView.as_view(), name="kpi-add-builtin"),
    *register_urls(
        "kpis",
        "kpi",
        list_view=k.KPIListView,
        detail_view=k.KPIDetailView,
        form_view=k.KPIFormView,
        delete_view=k.KPIDeleteView,
    ),
    path("kpis/<uuid:pk>/record/", k.KPIRecordValueView.as_view(), name="kpi-record"),
    path("kpis/<uuid:pk>/snapshot/", k.KPISnapshotView.as_view(), name="kpi-snapshot"),
    # Management reviews and their actions.
    *register_urls(
        "reviews",
        "review",
        list_view=r.ReviewListView,
        detail_view=r.ReviewDetailView,
        form_view=r.ReviewFormView,
        delete_view=r.ReviewDeleteView,
    ),
    path("reviews/<uuid:pk>/prepare/", r.ReviewPrepareView.as_view(), name="review-prepare"),
    path("reviews/<uuid:pk>/hold/", r.ReviewHoldView.as_view(), name="review-hold"),
    path("reviews/<uuid:pk>/decisions/new/", r.ReviewDecisionAddView.as_view(), name="review-add-decision"),
    path("reviews/<uuid:pk>/minutes.pdf", r.ReviewMinutesPdfView.as_view(), name="review-minutes-pdf"),
    *register_urls(
        "review-actions",
        "reviewaction",
        list_view=r.ReviewActionListView,
        detail_view=r.ReviewActionDetailView,
        form_view=r.ReviewActionFormView,
        delete_view=r.ReviewActionDeleteView,
    ),
    path("review-actions/<uuid:pk>/complete/", r.ReviewActionCompleteView.as_view(), name="reviewaction-complete"),
    # AI incidents.
    *register_urls(
        "incidents",
        "incident",
        list_view=inc.IncidentListView,
        detail_view=inc.IncidentDetailView,
        form_view=inc.IncidentFormView,
        delete_view=inc.IncidentDeleteView,
    ),
    path("incidents/<uuid:pk>/escalate/", inc.IncidentEscalateView.as_view(), name="incident-escalate"),
    path("incidents/<uuid:pk>/report/", inc.IncidentReportAuthorityView.as_view(), name="incident-report"),
    path("incidents/<uuid:pk>/raise-nonconformity/", inc.IncidentRaiseNCView.as_view(), name="incident-raise-nc"),
    path("incidents/<uuid:pk>/close/", inc.IncidentCloseView.as_view(), name="incident-close"),
]

# Internal audits under /audits/internal/ (the root redirects there, so that KPI and review pages under /audits/
# do not light up the Audits menu as well).
urlpatterns += [
    path("", RedirectView.as_view(pattern_name="audits:audit-list", permanent=False), name="home"),
    path("internal/", a.AuditListView.as_view(), name="audit-list"),
    path("internal/new/", a.AuditFormView.as_view(), name="audit-create"),
    path("internal/<uuid:pk>/", a.AuditDetailView.as_view(), name="audit-detail"),
    path("internal/<uuid:pk>/edit/", a.AuditFormView.as_view(), name="audit-update"),
    path("internal/<uuid:pk>/delete/", a.AuditDeleteView.as_view(), name="audit-delete"),
    path("internal/<uuid:pk>/start/", a.AuditStartView.as_view(), name="audit-start"),
    path("internal/<uuid:pk>/independence/", a.AuditIndependenceView.as_view(), name="audit-independence"),
    path("internal/<uuid:pk>/report/", a.AuditReportView.as_view(), name="audit-report"),
    path("internal/<uuid:pk>/close/", a.AuditCloseView.as_view(), name="audit-close"),
    path("internal/<uuid:pk>/findings/new/", a.AuditFindingAddView.as_view(), name="audit-add-finding"),
    path("internal/<uuid:pk>/report.pdf", a.AuditReportPdfView.as_view(), name="audit-report-pdf"),
]
