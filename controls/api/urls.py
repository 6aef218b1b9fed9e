from rest_framework.routers import SimpleRouter

from controls.api import views

router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("requirement-mappings", views.RequirementMappingViewSet, basename="requirementmapping")

urlpatterns = router.urls
