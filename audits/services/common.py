"""Helpers shared by the audits services."""

from django.utils.translation import gettext as _

from aims.services import ServiceError, check_members, check_reference_free, model_errors_as_service_errors

__all__ = [
    "ServiceError",
    "check_fields",
    "check_members",
    "check_reference_free",
    "lock",
    "model_errors_as_service_errors",
    "require_text",
]


def check_fields(data: dict, allowed) -> None:
    """Refuse fields a service does not set (a forged form field, an API body with a read-only field)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ServiceError({name: [_("This field cannot be set here.")] for name in sorted(unknown)})


def require_text(value, *, field: str, message: str) -> str:
    """The stripped text, or a ServiceError on ``field`` when it is empty."""
    text = (value or "").strip()
    if not text:
        raise ServiceError(message, field=field)
    return text


def lock(obj):
    """The row of ``obj`` again, locked for the rest of the transaction (two clicks never both pass a check)."""
    return type(obj).objects.select_for_update().get(pk=obj.pk)


def check_requirements_visible(organisation, requirements, *, field: str) -> None:
    """Requirements must be shipped ones or the organisation's own (a catalogue row of another is refused)."""
    for requirement in requirements:
        if requirement is not None and requirement.organisation_id not in (None, organisation.pk):
            raise ServiceError(_("Select a requirement of the catalogue or of your own frameworks."), field=field)


def apply_changes(obj, data: dict, *, actor, reason: str, member_fields=()):
    """Set plain fields (records of the organisation, members where named), save with history, then set the
    many-to-many fields. A new record gets its reference."""
    from aims.services import check_same_organisation, save_with_history, split_fields

    plain, m2m = split_fields(type(obj), data)
    check_same_organisation(obj.organisation, {**plain, **m2m})
    check_members(obj.organisation, plain, member_fields)
    for name, value in plain.items():
        setattr(obj, name, value)
    if hasattr(obj, "assign_reference") and (obj._state.adding or "reference" in plain):
        obj.assign_reference()
    with model_errors_as_service_errors():
        save_with_history(obj, actor=actor, reason=reason)
    for name, value in m2m.items():
        getattr(obj, name).set(value)
    return obj
