from rest_framework.routers import SimpleRouter

from controls.api import controls, evidence, gap, policies, soa, views

router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("requirement-mappings", views.RequirementMappingViewSet, basename="requirementmapping")
router.register("controls", controls.ControlViewSet, basename="control")
router.register("soa/lines", soa.SoALineViewSet, basename="soaline")
router.register("soa/versions", soa.SoAVersionViewSet, basename="soaversion")
router.register("soa", soa.SoAViewSet, basename="soa")
router.register("evidence", evidence.EvidenceViewSet, basename="evidence")
router.register("evidence-revisions", evidence.EvidenceRevisionViewSet, basename="evidencerevision")
router.register("policies", policies.PolicyViewSet, basename="policy")
router.register("gap-analysis", gap.GapAnalysisViewSet, basename="gap-analysis")
router.register("roadmap-actions", controls.RoadmapActionViewSet, basename="roadmapaction")

urlpatterns = router.urls
