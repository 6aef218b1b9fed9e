"""The URL map: UI pages per app, the REST API under /api/v1/, its schema and docs, and /health/."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.views import LoginView
from aims import views

handler403 = "aims.views.error_403"
handler404 = "aims.views.error_404"
handler500 = "aims.views.error_500"

_API_DOCS_CSP = csp_override(
    {**settings.SECURE_CSP, "style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}
)

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("registry.api.urls")),
    path("", include("risk.api.urls")),
    path("", include("controls.api.urls")),
    path("", include("governance.api.urls")),
    path("", include("audits.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("stewardship.api_urls")),
    path("", include("integrations.api.urls")),
    path("", include("onboarding.api_urls")),
    path("", include("trust.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script under the CSP. Both doc
    # pages style themselves with <style> elements (and Redoc renders in a blob: worker); scripts stay 'self'.
    path("docs/", _API_DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("redoc/", _API_DOCS_CSP(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
]

urlpatterns = [
    # First, so that an API request is not tried against every page pattern first (no page path starts with api/).
    path("api/v1/", include(api_v1)),
    path("", views.dashboard, name="dashboard"),
    path("health/", views.health, name="health"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="accounts/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("account/", include("accounts.urls")),
    path("inventory/", include("registry.urls")),
    path("risks/", include("risk.urls")),
    path("controls/", include("controls.urls")),
    path("governance/", include("governance.urls")),
    path("audits/", include("audits.urls")),
    path("reviews/", include("reviews.urls")),
    path("reports/", include("reports.urls")),
    path("trail/", include("trail.urls")),
    path("stewardship/", include("stewardship.urls")),
    path("integrations/", include("integrations.urls")),
    path("", include("onboarding.urls")),
    path("", include("trust.urls")),
    path("admin/", admin.site.urls),
]
