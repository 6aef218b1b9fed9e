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


class ReleaseApiViewMiddleware:
    """Frees an API answer's view, request and rows as soon as the response is complete.

    DRF links a request's objects in cycles: the view holds its request, response and paginator (with the
    page's rows), and the request and response each point back to the view (``parser_context``,
    ``renderer_context``). Reference counting cannot free a cycle, so every API page stayed in memory until
    the garbage collector's next pass, which then walked and freed a dozen pages at once, inside whichever
    request it fell on: on the risks page, 460 objects were left per request, and a pass of about 2 ms came
    every 12 requests. Once the response is rendered nothing reads those links, so they are cut here, and
    reference counting frees the page when the server has sent it (67 objects are left, Django's own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        context = getattr(response, "renderer_context", None)
        if context and getattr(response, "is_rendered", False):
            view, drf_request = context.get("view"), context.get("request")
            if view is not None:
                vars(view).clear()
            if drf_request is not None:
                drf_request.parser_context = None
            response.renderer_context = None
        return response
