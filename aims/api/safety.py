"""Cross-cutting API safety every viewset gets from ``aims.api.views``: optimistic concurrency (ETag and
If-Match), idempotent creates (Idempotency-Key) and the per-organisation export throttle.

- ``GET`` of an object answers an ``ETag`` (the record's version, ``aims.concurrency``); ``PUT``/``PATCH``/
  ``DELETE`` and the object's actions lock the row, and with ``If-Match`` answer 412 when the record changed
  since it was read. The answer of a write carries the new ``ETag``.
- ``POST`` of a create (or an import) with ``Idempotency-Key``: the first answer is stored; a retry with the
  same key and body replays it (header ``Idempotent-Replayed: true``), the same key with another body is 422.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.encoders import JSONEncoder

from aims.concurrency import etag_for, if_match_satisfied, lock_row, reload

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
IDEMPOTENCY_HEADER = "Idempotency-Key"
ETAG_ACTIONS = ("retrieve", "update", "partial_update")
KEY_MAX_LENGTH = 255


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The record was changed by someone else since you read it: read it again, then retry.")
    default_code = "precondition_failed"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used with another request body: use a new key.")
    default_code = "idempotency_key_reused"


class IdempotencyKeyInFlight(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed: retry in a moment.")
    default_code = "idempotency_key_in_flight"


# --- Optimistic concurrency ------------------------------------------------------------------------------
class ConcurrencyMixin:
    """ETag on reads of one object; a row lock and the If-Match check on every write to one object."""

    _etag_object = None

    def _is_object_route(self) -> bool:
        lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
        return lookup in getattr(self, "kwargs", {})

    def dispatch(self, request, *args, **kwargs):
        if request.method in UNSAFE:
            self.kwargs = kwargs  # _is_object_route reads them before initial() sets them
            if self._is_object_route():
                # One transaction for the whole write, so the row lock taken in get_object holds until commit.
                with transaction.atomic():
                    return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        obj = super().get_object()  # 404 outside the organisation, then the role check
        if self.request.method in UNSAFE:
            lock_row(type(obj), obj.pk)
            obj = super().get_object()  # read again under the lock: the version compared is the stored one
            if not if_match_satisfied(self.request.headers.get("If-Match"), obj):
                raise PreconditionFailed()
        self._etag_object = obj
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        obj = self._etag_object
        if obj is None or getattr(self, "action", None) not in ETAG_ACTIONS or not 200 <= response.status_code < 300:
            return response
        if request.method in UNSAFE:
            try:
                obj = reload(obj)  # the version after the write
            except type(obj).DoesNotExist:
                return response
        response["ETag"] = etag_for(obj)
        return response


# --- Idempotent creates and imports ------------------------------------------------------------------------
def _fingerprint(request) -> str:
    """SHA-256 of the method, path, query and body. A multipart body is read through the parsed form (file
    contents hashed in chunks), so a large upload is never loaded into memory for this."""
    digest = hashlib.sha256(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    if (request.content_type or "").startswith("multipart/"):
        data = request.data
        for name in sorted(data.keys()):
            digest.update(f"{name}={data.getlist(name) if hasattr(data, 'getlist') else data[name]!r}\n".encode())
        for name in sorted(request.FILES.keys()):
            for upload in request.FILES.getlist(name):
                digest.update(f"{name}:{upload.name}:{upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _ttl() -> timedelta:
    return timedelta(seconds=getattr(settings, "IDEMPOTENCY_KEY_TTL", 24 * 60 * 60))


def idempotent(request, handler):
    """Run ``handler()`` (which returns a Response) at most once per Idempotency-Key of this caller."""
    from aims.models import IdempotencyKey

    key = request.headers.get(IDEMPOTENCY_HEADER)
    organisation = getattr(request, "organisation", None)
    if key is None or organisation is None or not request.user.is_authenticated:
        return handler()
    key = key.strip()
    if not key or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise exceptions.ValidationError(
            {IDEMPOTENCY_HEADER: [gettext("Send 1 to %(max)s printable characters.") % {"max": KEY_MAX_LENGTH}]}
        )
    fingerprint = _fingerprint(request)
    now = timezone.now()
    scope = {"organisation": organisation, "user": request.user}
    with transaction.atomic():
        IdempotencyKey.objects.filter(**scope, expires_at__lt=now).delete()
        try:
            with transaction.atomic():
                record, created = IdempotencyKey.objects.get_or_create(
                    **scope, key=key, defaults={"fingerprint": fingerprint, "expires_at": now + _ttl()}
                )
        except IntegrityError as exc:
            raise IdempotencyKeyInFlight() from exc
        record = IdempotencyKey.objects.select_for_update().get(pk=record.pk)
        if not created:
            if record.fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            if record.status_code is None:
                raise IdempotencyKeyInFlight()
            replay = Response(record.response_body, status=record.status_code)
            replay["Idempotent-Replayed"] = "true"
            return replay
        response = handler()
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.response_body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            record.save(update_fields=["status_code", "response_body"])
        else:
            record.delete()  # a refused request may be corrected and sent again with the same key
        return response


class IdempotentCreateMixin:
    def create(self, request, *args, **kwargs):
        return idempotent(request, lambda: super(IdempotentCreateMixin, self).create(request, *args, **kwargs))


# --- Export throttle --------------------------------------------------------------------------------------
class OrganisationExportThrottle(SimpleRateThrottle):
    """Exports (any request whose permission action is ``export``) are counted per organisation."""

    scope = "export"

    def get_rate(self):
        return getattr(settings, "AIMS_EXPORT_RATE", "60/hour")

    def get_cache_key(self, request, view):
        from aims.api.permissions import _action_for

        organisation = getattr(request, "organisation", None)
        if organisation is None or _action_for(request, view) != "export":
            return None
        return self.cache_format % {"scope": self.scope, "ident": organisation.pk}


def export_allowed(request) -> bool:
    """The same per-organisation export budget for the web pages' exports (crud.py)."""

    class _View:
        permission_actions = {"export": "export"}
        action = "export"

    return OrganisationExportThrottle().allow_request(request, _View())
