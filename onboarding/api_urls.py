from rest_framework.routers import SimpleRouter

from onboarding import api

router = SimpleRouter()
router.register("setup-progress", api.SetupProgressViewSet, basename="setup-progress")
router.register("document-templates", api.DocumentTemplateViewSet, basename="document-template")

urlpatterns = router.urls
