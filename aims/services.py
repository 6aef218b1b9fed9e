"""Shared pieces for the service layer of every app: the error type and the history helper."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ServiceError(ValidationError):
    """A business rule refused the change. ``conflict=True`` maps to HTTP 409 (state conflict)."""

    def __init__(self, message, *, field: str | None = None, conflict: bool = False):
        """``message`` is a text (optionally on ``field``) or a ``{field: [texts]}`` dict."""
        self.conflict = conflict
        super().__init__({field: [message]} if field else message)

    def as_detail(self):
        if hasattr(self, "error_dict"):
            return {("non_field_errors" if k == "__all__" else k): v for k, v in self.message_dict.items()}
        return {"non_field_errors": self.messages}


def save_with_history(obj, *, actor, reason: str, update_fields=None):
    """Save ``obj`` recording who changed it and why in its simple-history row."""
    obj._history_user = actor
    obj._change_reason = reason
    obj.full_clean()
    obj.save(update_fields=update_fields)
    return obj


def delete_with_history(obj, *, actor, reason: str) -> None:
    obj._history_user = actor
    obj._change_reason = reason
    obj.delete()


def split_fields(model_cls, data: dict) -> tuple[dict, dict]:
    """Separate plain field values from many-to-many ones (which can be set only after a save)."""
    m2m_names = {f.name for f in model_cls._meta.many_to_many}
    plain = {k: v for k, v in data.items() if k not in m2m_names}
    m2m = {k: v for k, v in data.items() if k in m2m_names}
    return plain, m2m


def check_same_organisation(organisation, data: dict) -> None:
    """Refuse links to records of another organisation (a forged id in a form or an API body)."""
    errors = {}
    for field, value in data.items():
        is_many = hasattr(value, "__iter__") and not isinstance(value, str | bytes | dict)
        items = value if is_many else [value]
        for item in items:
            org_id = getattr(item, "organisation_id", None)
            if org_id is not None and org_id != organisation.pk:
                errors.setdefault(field, []).append(_("Select a record of your own organisation."))
                break
    if errors:
        raise ServiceError(errors)


def check_members(organisation, data: dict, fields: tuple[str, ...]) -> None:
    """People named as owners, approvers or assessors must be members of the organisation."""
    from accounts.models import Membership

    users = {f: data[f] for f in fields if data.get(f) is not None}
    if not users:
        return
    member_ids = set(
        Membership.objects.filter(organisation=organisation, user__in=users.values()).values_list("user_id", flat=True)
    )
    errors = {f: [_("Choose a member of this organisation.")] for f, u in users.items() if u.pk not in member_ids}
    if errors:
        raise ServiceError(errors)


def create_record(model_cls, *, actor, organisation, data: dict, reason: str, member_fields=()):
    """Create an organisation-scoped record from validated data, with history and references."""
    plain, m2m = split_fields(model_cls, data)
    check_same_organisation(organisation, {**plain, **m2m})
    check_members(organisation, plain, member_fields)
    obj = model_cls(organisation=organisation, **plain)
    if hasattr(obj, "assign_reference"):
        obj.assign_reference()
    save_with_history(obj, actor=actor, reason=reason)
    for name, value in m2m.items():
        getattr(obj, name).set(value)
    return obj


def update_record(obj, *, actor, data: dict, reason: str, member_fields=()):
    """Apply validated changes to a record, with history; returns the names of changed plain fields."""
    plain, m2m = split_fields(type(obj), data)
    check_same_organisation(obj.organisation, {**plain, **m2m})
    check_members(obj.organisation, plain, member_fields)
    changed = [name for name, value in plain.items() if getattr(obj, name) != value]
    for name, value in plain.items():
        setattr(obj, name, value)
    if "reference" in changed and hasattr(obj, "assign_reference"):
        obj.assign_reference()
    save_with_history(obj, actor=actor, reason=reason)
    for name, value in m2m.items():
        getattr(obj, name).set(value)
    return changed


@contextmanager
def model_errors_as_service_errors():
    """A model check that fails in ``full_clean`` (a text too long, a bad choice) reads as a ServiceError,
    so forms show it on the field and the API answers 400 instead of 500."""
    try:
        yield
    except ServiceError:
        raise
    except ValidationError as exc:
        raise ServiceError(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}) from exc


def check_reference_free(model_cls, organisation, reference, *, exclude_pk=None) -> None:
    """A reference given by hand must not be one the organisation already uses (CTX-004 twice)."""
    if not reference:
        return
    taken = model_cls.objects.filter(organisation=organisation, reference=reference).exclude(pk=exclude_pk)
    if taken.exists():
        raise ServiceError(f"{reference} is already used in this organisation.", field="reference")
