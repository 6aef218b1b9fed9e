from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("members", views.MembershipViewSet, basename="membership")
router.register("tokens", views.ApiTokenViewSet, basename="apitoken")
router.register("access-log", views.AccessLogViewSet, basename="accesslog")

urlpatterns = [
    path("auth/token/", views.TokenObtainView.as_view(), name="auth-token"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/preferences/", views.PreferencesView.as_view(), name="me-preferences"),
    *router.urls,
]
