"""Helpers shared by the risk services."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from accounts.models import Organisation
from aims.services import ServiceError
from registry.services import add_months  # noqa: F401  (re-exported for the risk services)


@contextmanager
def model_errors_as_service_errors():
    """A model check failing in ``full_clean`` (a too-long text, a bad choice) reads as a ServiceError, so forms
    show it on the field and the API answers 400 instead of 500."""
    try:
        yield
    except ServiceError:
        raise
    except ValidationError as exc:
        raise ServiceError(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}) from exc


def lock_organisation(organisation) -> None:
    """Serialise versioning per organisation (criteria versions, impact assessment versions)."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).exists()


def check_reference_free(model_cls, organisation, reference, *, exclude_pk=None) -> None:
    """A reference given by hand must not already be used in the organisation (RSK-004 twice)."""
    if not reference:
        return
    if model_cls.objects.filter(organisation=organisation, reference=reference).exclude(pk=exclude_pk).exists():
        raise ServiceError(
            gettext("%(reference)s is already used in this organisation.") % {"reference": reference}, field="reference"
        )


def require_text(value, *, field: str, message: str) -> str:
    """The stripped text, or a ServiceError on ``field`` when it is empty."""
    text = (value or "").strip()
    if not text:
        raise ServiceError(message, field=field)
    return text
