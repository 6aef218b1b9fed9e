"""The URL map: UI pages per app, the REST API under /api/v1/, its schema and docs, and /health/."""

from importlib import import_module

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts.views import LoginView
from aims import views
from aims.url_dispatch import SegmentResolver

handler403 = "aims.views.error_403"
handler404 = "aims.views.error_404"
handler500 = "aims.views.error_500"

_API_DOCS_CSP = csp_override(
    {**settings.SECURE_CSP, "style-src": ["'self'", "'unsafe-inline'"], "worker-src": ["'self'", "blob:"]}
)


def _spliced(module: str) -> list:
    """The module's URL patterns themselves, not ``path("", include(module))``: each include is a resolver of its
    own, and every one an API request passes on its way fails with the list of all the patterns it tried (for
    the 404 debug page), built as nested lists; that cost a third of an API request answered from the page cache.
    None of these modules names an ``app_name``, so reversing is the same."""
    urls = import_module(module)
    if hasattr(urls, "app_name"):
        raise ImproperlyConfigured(f"{module} names a namespace (app_name): include() it instead")
    return list(urls.urlpatterns)


api_v1 = [
    *_spliced("accounts.api.urls"),
    *_spliced("registry.api.urls"),
    *_spliced("risk.api.urls"),
    *_spliced("controls.api.urls"),
    *_spliced("governance.api.urls"),
    *_spliced("audits.api.urls"),
    *_spliced("reviews.api.urls"),
    *_spliced("reports.api.urls"),
    *_spliced("stewardship.api_urls"),
    *_spliced("integrations.api.urls"),
    *_spliced("onboarding.api_urls"),
    *_spliced("trust.api_urls"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script under the CSP. Both doc
    # pages style themselves with <style> elements (and Redoc renders in a blob: worker); scripts stay 'self'.
    path("docs/", _API_DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="schema")), name="swagger-ui"),
    path("redoc/", _API_DOCS_CSP(SpectacularRedocView.as_view(url_name="schema")), name="redoc"),
]

urlpatterns = [
    # First, so that an API request is not tried against every page pattern first (no page path starts with api/).
    # Resolved by the path's first segment among some 200 patterns (aims.url_dispatch).
    SegmentResolver.of(path("api/v1/", include(api_v1))),
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
