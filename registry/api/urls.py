from rest_framework.routers import SimpleRouter

from registry.api import views

router = SimpleRouter()
router.register("ai-systems", views.AISystemViewSet, basename="aisystem")

urlpatterns = router.urls
