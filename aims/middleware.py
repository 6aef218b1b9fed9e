"""Request limits enforced before a view reads the body (OWASP API4: unrestricted resource consumption)."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def request_max_bytes() -> int:
    """The largest body accepted at all: the evidence file limit plus room for the other form fields."""
    configured = getattr(settings, "REQUEST_MAX_BYTES", None)
    if configured:
        return int(configured)
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 20 * 1024 * 1024)) + 1024 * 1024


class RequestSizeLimitMiddleware:
    """A body declared larger than ``request_max_bytes()`` is refused with 413 before it is read: JSON for the
    API, a short page for the web interface. (Bodies without files are capped lower by Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``; the API's exception handler turns that into 413 JSON too.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or ""
        limit = request_max_bytes()
        if declared.isdigit() and int(declared) > limit:
            message = _("The request body is larger than this server accepts (%(size)s MB).") % {
                "size": limit // (1024 * 1024)
            }
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
