from rest_framework.routers import SimpleRouter

from reports.api import views

router = SimpleRouter()
router.register("evidence-packs", views.EvidencePackViewSet, basename="evidencepack")

urlpatterns = router.urls
