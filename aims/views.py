"""Platform pages: dashboard, health check, error pages and the shared History tab."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from aims.dashboard import dashboard_panels

logger = logging.getLogger(__name__)


@login_required
def dashboard(request):
    """The organisation's overview; each app contributes panels through ``aims.dashboard``."""
    return render(request, "aims/dashboard.html", {"panels": dashboard_panels(request)})


def _broker_ok() -> tuple[bool, str]:
    from aims.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 — any failure means "unhealthy", reported as text
        return False, type(exc).__name__


@never_cache
def health(request):
    """For load balancers: 200 when the database and the broker answer, 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001
        checks["database"] = type(exc).__name__
    checks["broker"] = _broker_ok()[1]
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": checks, "version": settings.AIMS_VERSION},
        status=200 if healthy else 503,
    )


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_404(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "errors/404.html", status=404)


def error_403(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    return render(request, "errors/403.html", status=403)


def _database_unavailable() -> bool:
    """Is the exception being handled a lost or refused database connection (a restart, a failover)?"""
    import sys

    from django.db import InterfaceError, OperationalError

    exc = sys.exc_info()[1]
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def error_503(request):
    """The database cannot be reached: a short, DB-free answer that invites a retry (the next request reconnects)."""
    headers = {"Retry-After": "5"}
    if _wants_json(request):
        detail = _("The service is temporarily unavailable (database unreachable). Retry shortly.")
        return JsonResponse({"detail": detail}, status=503, headers=headers)
    html = render_to_string("errors/503.html")
    return HttpResponse(html, status=503, headers=headers)


def error_500(request):
    """Never fails itself: when the layout cannot render (the database is down), a plain page is served."""
    if _database_unavailable():
        logger.error("Database unavailable while serving %s", request.path)
        return error_503(request)
    if _wants_json(request):
        return JsonResponse({"detail": _("Server error. The error has been logged.")}, status=500)
    try:
        return render(request, "errors/500.html", status=500)
    except Exception:  # noqa: BLE001
        logger.exception("The error page itself failed to render")
        return HttpResponseServerError("<h1>Server error</h1><p>The error has been logged. Please try again.</p>")
