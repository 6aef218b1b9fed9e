from django.urls import path
from rest_framework.routers import SimpleRouter

from registry.api import views, views_context, views_data, views_import

router = SimpleRouter()
router.register("ai-systems", views.AISystemViewSet, basename="aisystem")
router.register("scope-statements", views_context.ScopeStatementViewSet, basename="scopestatement")
router.register("context-issues", views_context.ContextIssueViewSet, basename="contextissue")
router.register("interested-parties", views_context.InterestedPartyViewSet, basename="interestedparty")
router.register("datasets", views_data.DatasetViewSet, basename="dataset")
router.register("suppliers", views_data.SupplierViewSet, basename="supplier")
router.register("models", views_data.AIModelViewSet, basename="aimodel")
router.register("model-versions", views_data.ModelVersionViewSet, basename="modelversion")

urlpatterns = router.urls

# Import of AI systems, datasets and suppliers (CSV or JSON; dry run, all-or-nothing or valid rows only).
urlpatterns += [path("imports/<slug:register>/", views_import.ImportView.as_view(), name="import")]
