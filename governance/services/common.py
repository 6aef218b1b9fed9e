"""Helpers shared by the governance services."""

from aims.services import (
    ServiceError,
    check_reference_free,
    create_record,
    model_errors_as_service_errors,
    update_record,
)
from registry.services import add_months  # noqa: F401  (re-exported for the governance services)


def create_referenced(model_cls, *, actor, organisation, data: dict, reason: str, member_fields=()):
    """Create a referenced record: a reference given by hand must be free; model checks read as field errors."""
    check_reference_free(model_cls, organisation, data.get("reference"))
    with model_errors_as_service_errors():
        return create_record(
            model_cls, actor=actor, organisation=organisation, data=data, reason=reason, member_fields=member_fields
        )


def update_referenced(obj, *, actor, data: dict, reason: str, member_fields=()):
    check_reference_free(type(obj), obj.organisation, data.get("reference"), exclude_pk=obj.pk)
    with model_errors_as_service_errors():
        update_record(obj, actor=actor, data=data, reason=reason, member_fields=member_fields)
    return obj


def require_text(value, *, field: str, message: str) -> str:
    """The stripped text, or a ServiceError on ``field`` when it is empty."""
    text = (value or "").strip()
    if not text:
        raise ServiceError(message, field=field)
    return text


def reason_text(text: str) -> str:
    """A history change reason fits simple-history's 100 characters."""
    return text if len(text) <= 100 else text[:99] + "…"
