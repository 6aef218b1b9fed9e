"""Import converters the spreadsheet importers need beyond the shared ones: date-times and JSON lists."""

import datetime as dt
import json

from django.utils import timezone
from django.utils.translation import gettext

from aims.imports import CellError, Converter
from aims.imports.converters import text_of
from controls.constants import ISO42001_KEY


class DateTime(Converter):
    """A date and time as the export writes it (ISO 8601, local time); a bare date means midnight."""

    description = "A date and time as YYYY-MM-DD HH:MM (local time) or ISO 8601"

    def to_python(self, raw, ctx):
        value = text_of(raw)
        if not value:
            return None
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise CellError(gettext("Enter a date and time as YYYY-MM-DD HH:MM.")) from None
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed

    def same(self, current, new) -> bool:
        if current is None or new is None:
            return current is new
        return current.replace(microsecond=0) == new.replace(microsecond=0)  # the export writes whole seconds


class JsonList(Converter):
    """A list: one item per line, items joined with " / " (as the exports write them), or a JSON array."""

    description = "One item per line, or items separated by “ / ”"

    def to_python(self, raw, ctx):
        if isinstance(raw, list):
            return [text_of(item) for item in raw]
        value = text_of(raw)
        if not value:
            return []
        if value.startswith("["):
            try:
                items = json.loads(value)
            except json.JSONDecodeError:
                raise CellError(gettext("The list is not valid JSON: give one item per line instead.")) from None
            if not isinstance(items, list):
                raise CellError(gettext("Give a list."))
            return [text_of(item) for item in items]
        lines = value.splitlines() if "\n" in value else value.split(" / ")  # the exports join with " / "
        return [line.strip() for line in lines if line.strip()]

    def same(self, current, new) -> bool:
        return list(current or []) == list(new or [])


class Number(Converter):
    """A decimal number (a dot or a comma as the decimal mark)."""

    description = "A number"

    def to_python(self, raw, ctx):
        from decimal import Decimal, InvalidOperation

        value = text_of(raw).replace(" ", "")
        if not value:
            return None
        if "," in value and "." not in value:
            value = value.replace(",", ".")
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise CellError(gettext("Enter a number, for example 12.5.")) from None
        if not number.is_finite():
            raise CellError(gettext("Enter a finite number."))
        return number

    def same(self, current, new) -> bool:
        if current is None or new is None:
            return current is new
        from decimal import Decimal

        return Decimal(str(current)) == Decimal(str(new))


class MemberList(Converter):
    """Several members by username, comma-separated (an audit team, a review's attendees)."""

    names_members = True
    description = "Comma-separated usernames of members"

    def to_python(self, raw, ctx):
        from aims.imports.converters import items_of

        users, unknown = [], []
        for name in items_of(raw):
            user = ctx.members.get(name)
            (users if user is not None else unknown).append(user or name)
        if unknown:
            raise CellError(
                gettext("No member of this organisation has the username %(names)s.") % {"names": ", ".join(unknown)}
            )
        return users


class RequirementRef(Converter):
    """Requirements of a framework (shipped or the organisation's own) as ``framework-key:identifier`` — how the
    control and policy exports write them — or by identifier alone (``A.6.2.4``, ``A.6.2.4 Title``): an
    identifier in several frameworks means the ISO/IEC 42001 one, else the organisation's own framework's."""

    def __init__(self, *, many: bool):
        self.many = many
        self.description = "Comma-separated framework-key:identifier" if many else "framework-key:identifier"

    @staticmethod
    def _index(ctx) -> tuple[dict, dict]:
        cached = getattr(ctx, "_requirements", None)
        if cached is None:
            from django.db.models import Q

            from controls.models import Requirement

            rows = Requirement.objects.filter(
                Q(organisation=ctx.organisation) | Q(organisation__isnull=True)
            ).select_related("framework")
            by_key, by_identifier = {}, {}
            for requirement in rows:
                by_key[f"{requirement.framework.key}:{requirement.identifier}".lower()] = requirement
                by_identifier.setdefault(requirement.identifier.lower(), []).append(requirement)
            cached = ctx._requirements = (by_key, by_identifier)
        return cached

    def _find(self, value: str, ctx):
        by_key, by_identifier = self._index(ctx)
        found = by_key.get(value.lower())
        if found is not None:
            return found
        for candidate in (value, value.split(None, 1)[0]):
            matches = by_identifier.get(candidate.lower(), [])
            if len(matches) > 1:  # an AIMS register means the AIMS standard first, then the organisation's own
                matches = [r for r in matches if r.framework.key == ISO42001_KEY] or [
                    r for r in matches if r.organisation_id is not None
                ]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise CellError(
                    gettext("“%(item)s” is in several frameworks: write it as framework-key:%(item)s.")
                    % {"item": candidate}
                )
        raise CellError(
            gettext("No requirement “%(item)s”: write it as framework-key:identifier (iso42001:A.6.2.4).")
            % {"item": value}
        )

    def to_python(self, raw, ctx):
        from aims.imports.converters import items_of

        if self.many:
            return list(dict.fromkeys(self._find(item, ctx) for item in items_of(raw)))
        value = text_of(raw)
        return self._find(value, ctx) if value else None
