"""Appending to and verifying the per-organisation hash chain.

Each link stores ``content_hash`` (SHA-256 of the record's canonical JSON), ``prev_hash`` (the previous
link's ``hash``) and ``hash`` = SHA-256 over its sequence number, kind, record id, content hash and
previous hash. Changing a record, deleting one, or removing, editing or reordering links breaks the
chain at that point, and ``verify_chain`` reports the first break.

History records of every app are chained through simple-history's ``post_create_historical_record``
signal; other record kinds (an access log) call ``append_link`` and may register a loader with
``register_kind`` so their content can be re-checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from trail.models import ZERO_HASH, TrailHead, TrailLink

HISTORY_PREFIX = "history:"
_local = threading.local()
# kind -> loader(organisation, record_ids) -> {record_id: content dict}
_LOADERS: dict[str, Callable] = {}


def register_kind(kind: str, loader: Callable) -> None:
    """Let ``verify_chain`` re-read records of ``kind``: ``loader(organisation, ids) -> {id: content}``."""
    _LOADERS[kind] = loader


@contextmanager
def suspended():
    """Append nothing in this thread (used while an organisation is being deleted)."""
    previous = getattr(_local, "suspended", False)
    _local.suspended = True
    try:
        yield
    finally:
        _local.suspended = previous


# --- Canonical content --------------------------------------------------------------------------------------
def normalise(model_field, value):
    """A JSON value that is the same whether read from memory before saving or from the database after."""
    if value is None:
        return None
    if isinstance(model_field, models.JSONField):
        return json.loads(json.dumps(value, cls=model_field.encoder or DjangoJSONEncoder))
    try:
        value = model_field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        return str(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        places = getattr(model_field, "decimal_places", None)
        if places is not None:
            value = value.quantize(Decimal(1).scaleb(-places))
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return value


def canonical_json(content: dict) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def link_hash(seq: int, kind: str, record_id: str, content_hash: str, prev_hash: str) -> str:
    return sha256(f"{seq}\n{kind}\n{record_id}\n{content_hash}\n{prev_hash}")


def history_content(history_model, row, field_names: list[str]) -> dict:
    """Canonical content of a history record; ``row`` is the instance or a ``values()`` dict."""
    get = row.get if isinstance(row, dict) else (lambda name: getattr(row, name))
    by_attname = {f.attname: f for f in history_model._meta.concrete_fields}
    return {name: normalise(by_attname[name], get(name)) for name in field_names}


def history_fields(history_model) -> list[str]:
    return sorted(f.attname for f in history_model._meta.concrete_fields)


def organisation_id_of(history_instance):
    """The organisation a history record belongs to, or None (global reference data is not chained)."""
    from accounts.models import Organisation

    if history_instance.instance_type is Organisation:
        return history_instance.id
    return getattr(history_instance, "organisation_id", None)


# --- Appending ----------------------------------------------------------------------------------------------
def append_link(organisation, kind: str, record_id, content: dict, *, fields: str = "") -> TrailLink | None:
    """Chain a record of ``kind`` for ``organisation`` (an instance or its id). Safe with concurrent writers.

    The organisation's head row is locked for the append, so links of one organisation form one chain.
    Call it inside the transaction that writes the record, so both commit or neither does.
    """
    if getattr(_local, "suspended", False) or organisation is None:
        return None
    organisation_id = getattr(organisation, "pk", organisation)
    content_hash = sha256(canonical_json(content))
    with transaction.atomic():
        head, _ = TrailHead.objects.select_for_update().get_or_create(organisation_id=organisation_id)
        seq = head.seq + 1
        record_id = str(record_id)
        digest = link_hash(seq, kind, record_id, content_hash, head.hash)
        link = TrailLink.objects.create(
            organisation_id=organisation_id,
            seq=seq,
            kind=kind,
            record_id=record_id,
            fields=fields,
            content_hash=content_hash,
            prev_hash=head.hash,
            hash=digest,
            created_at=timezone.now(),
        )
        TrailHead.objects.filter(pk=head.pk).update(seq=seq, hash=digest, updated_at=timezone.now())
    return link


def chain_history_record(sender, history_instance, **kwargs):
    """simple-history signal receiver: chain every new history record of an organisation."""
    organisation_id = organisation_id_of(history_instance)
    if organisation_id is None:
        return
    history_model = type(history_instance)
    names = history_fields(history_model)
    append_link(
        organisation_id,
        HISTORY_PREFIX + history_model._meta.label_lower,
        history_instance.pk,
        history_content(history_model, history_instance, names),
        fields=",".join(names),
    )


def chain_head(organisation, as_of=None) -> dict:
    """The last link at ``as_of`` (a datetime, or a date meaning the end of that day in the organisation's zone).

    Returns ``{"seq", "hash", "at"}``; ``seq`` 0 and the zero hash when nothing was chained by then.
    """
    links = TrailLink.objects.filter(organisation=organisation)
    if as_of is not None:
        if not isinstance(as_of, dt.datetime):
            zone = dt.UTC
            try:
                import zoneinfo

                zone = zoneinfo.ZoneInfo(organisation.time_zone)
            except (AttributeError, KeyError, ValueError):
                pass
            as_of = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
            links = links.filter(created_at__lt=as_of)
        else:
            links = links.filter(created_at__lte=as_of)
    last = links.order_by("-seq").values("seq", "hash", "created_at").first()
    if last is None:
        return {"seq": 0, "hash": ZERO_HASH, "at": None}
    return {"seq": last["seq"], "hash": last["hash"], "at": last["created_at"]}


# --- Verifying ----------------------------------------------------------------------------------------------
@dataclass
class Break:
    seq: int
    kind: str
    record_id: str
    problem: str

    def __str__(self) -> str:
        return f"link #{self.seq} ({self.kind} {self.record_id}): {self.problem}"


@dataclass
class Verification:
    organisation: object
    checked: int = 0
    head_seq: int = 0
    head_hash: str = ZERO_HASH
    content_unchecked: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def _history_model(kind: str):
    try:
        return apps.get_model(kind.removeprefix(HISTORY_PREFIX))
    except (LookupError, ValueError):
        return None


def _load_history(organisation, kind: str, links: list[TrailLink]) -> dict[str, dict] | None:
    model = _history_model(kind)
    if model is None:
        return None
    rows = {}
    ids = [link.record_id for link in links]
    for start in range(0, len(ids), 500):
        for row in model.objects.filter(pk__in=ids[start : start + 500]).values():
            rows[str(row[model._meta.pk.attname])] = row
    contents = {}
    attnames = {f.attname for f in model._meta.concrete_fields}
    for link in links:
        row = rows.get(link.record_id)
        if row is None:
            continue
        names = link.fields.split(",") if link.fields else history_fields(model)
        if not set(names) <= attnames:
            contents[link.record_id] = {"__missing_fields__": sorted(set(names) - attnames)}
            continue
        contents[link.record_id] = history_content(model, row, names)
    return contents


def _history_querysets(organisation):
    """(kind, model, queryset of the organisation's history rows) for every historical model."""
    for model in apps.get_models():
        if not hasattr(model, "instance_type") or model._meta.pk.attname != "history_id":
            continue
        if model.instance_type._meta.label_lower == "accounts.organisation":
            queryset = model.objects.filter(id=organisation.pk)
        elif "organisation_id" in {f.attname for f in model._meta.concrete_fields}:
            queryset = model.objects.filter(organisation_id=organisation.pk)
        else:
            continue
        yield HISTORY_PREFIX + model._meta.label_lower, model, queryset


def _unchained(organisation):
    """(kind, history row) for each history row of the organisation that no link names."""
    for kind, _model, queryset in _history_querysets(organisation):
        linked = set(TrailLink.objects.filter(organisation=organisation, kind=kind).values_list("record_id", flat=True))
        missing = [pk for pk in queryset.values_list("history_id", flat=True) if str(pk) not in linked]
        for start in range(0, len(missing), 500):
            yield from (
                (kind, row)
                for row in queryset.filter(history_id__in=missing[start : start + 500]).order_by("history_id")
            )


def unchained_history(organisation) -> list[tuple[str, str]]:
    """History rows that no link names: written behind the application's back (or before the trail was
    installed). ``(kind, history id)``, oldest first per kind."""
    return [(kind, str(row.pk)) for kind, row in _unchained(organisation)]


def adopt_unchained(organisation) -> int:
    """Chain history rows written before the trail existed, in date order (once, after installing it)."""
    rows = sorted(_unchained(organisation), key=lambda item: (item[1].history_date, item[0], item[1].pk))
    for _kind, row in rows:
        chain_history_record(type(row), history_instance=row)
    return len(rows)


def verify_chain(organisation, *, batch: int = 2000) -> Verification:
    """Recompute the organisation's chain from its records; every problem found, in chain order."""
    result = Verification(organisation=organisation)
    head = TrailHead.objects.filter(organisation=organisation).first()
    expected_prev, expected_seq = ZERO_HASH, 1
    queryset = TrailLink.objects.filter(organisation=organisation).order_by("seq")
    last_seq = 0
    while True:
        links = list(queryset.filter(seq__gt=last_seq)[:batch])
        if not links:
            break
        last_seq = links[-1].seq
        by_kind: dict[str, list[TrailLink]] = {}
        for link in links:
            by_kind.setdefault(link.kind, []).append(link)
        contents: dict[str, dict | None] = {}
        for kind, kind_links in by_kind.items():
            if kind.startswith(HISTORY_PREFIX):
                contents[kind] = _load_history(organisation, kind, kind_links)
            elif kind in _LOADERS:
                contents[kind] = _LOADERS[kind](organisation, [link.record_id for link in kind_links])
            else:
                contents[kind] = None
        for link in links:
            result.checked += 1
            if link.seq != expected_seq:
                result.breaks.append(Break(expected_seq, "?", "?", f"link missing (the chain jumps to #{link.seq})"))
                expected_seq = link.seq
            if link.prev_hash != expected_prev:
                result.breaks.append(Break(link.seq, link.kind, link.record_id, "does not follow the previous link"))
            if link.hash != link_hash(link.seq, link.kind, link.record_id, link.content_hash, link.prev_hash):
                result.breaks.append(Break(link.seq, link.kind, link.record_id, "the link itself was altered"))
            kind_contents = contents[link.kind]
            if kind_contents is None:
                result.content_unchecked += 1
            elif link.record_id not in kind_contents:
                result.breaks.append(Break(link.seq, link.kind, link.record_id, "the record was deleted"))
            else:
                content = kind_contents[link.record_id]
                if "__missing_fields__" in content:
                    problem = "fields hashed then no longer exist: " + ", ".join(content["__missing_fields__"])
                    result.breaks.append(Break(link.seq, link.kind, link.record_id, problem))
                elif sha256(canonical_json(content)) != link.content_hash:
                    result.breaks.append(Break(link.seq, link.kind, link.record_id, "the record was changed"))
            expected_prev, expected_seq = link.hash, link.seq + 1
    result.head_seq, result.head_hash = expected_seq - 1, expected_prev
    if head is not None and (head.seq != result.head_seq or head.hash != result.head_hash):
        result.breaks.append(
            Break(head.seq, "head", "-", f"the head names #{head.seq} but the chain ends at #{result.head_seq}")
        )
    elif head is None and result.checked:
        result.breaks.append(Break(0, "head", "-", "the head is missing"))
    for kind, record_id in unchained_history(organisation):
        result.breaks.append(Break(0, kind, record_id, "a history record that is not in the chain"))
    return result
