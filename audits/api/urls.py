from rest_framework.routers import SimpleRouter

from audits.api import views, views_more

router = SimpleRouter()
router.register("audit-programmes", views.AuditProgrammeViewSet, basename="auditprogramme")
router.register("audits", views.AuditViewSet, basename="audit")
router.register("checklist-items", views.ChecklistItemViewSet, basename="checklistitem")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("nonconformities", views.NonconformityViewSet, basename="nonconformity")
router.register("corrective-actions", views.CorrectiveActionViewSet, basename="correctiveaction")
router.register("kpis", views_more.KPIViewSet, basename="kpi")
router.register("management-reviews", views_more.ManagementReviewViewSet, basename="managementreview")
router.register("review-actions", views_more.ReviewActionViewSet, basename="reviewaction")
router.register("incidents", views_more.IncidentViewSet, basename="incident")

urlpatterns = router.urls
