from rest_framework.routers import SimpleRouter

from registry.api import views, views_context

router = SimpleRouter()
router.register("ai-systems", views.AISystemViewSet, basename="aisystem")
router.register("scope-statements", views_context.ScopeStatementViewSet, basename="scopestatement")
router.register("context-issues", views_context.ContextIssueViewSet, basename="contextissue")
router.register("interested-parties", views_context.InterestedPartyViewSet, basename="interestedparty")

urlpatterns = router.urls
