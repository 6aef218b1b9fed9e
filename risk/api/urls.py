from rest_framework.routers import SimpleRouter

from risk.api import views

router = SimpleRouter()
router.register("risks", views.RiskViewSet, basename="risk")
router.register("treatment-actions", views.TreatmentActionViewSet, basename="treatmentaction")
router.register("risk-assessments", views.RiskAssessmentViewSet, basename="riskassessment")
router.register("impact-assessments", views.ImpactAssessmentViewSet, basename="impactassessment")
router.register("impact-areas", views.ImpactAreaViewSet, basename="impactarea")
router.register("risk-criteria", views.RiskCriteriaViewSet, basename="riskcriteria")

urlpatterns = router.urls
