from rest_framework.routers import SimpleRouter

from trust import api

router = SimpleRouter()
router.register("concerns", api.ConcernViewSet, basename="concern")
router.register("trust-pages", api.TrustPageViewSet, basename="trustpage")

urlpatterns = router.urls
