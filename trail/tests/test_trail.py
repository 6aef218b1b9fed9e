"""The audit trail: every history record is chained per organisation and tampering is found."""

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from registry.models import AISystem
from registry.tests.factories import AISystemFactory
from trail import services
from trail.models import TrailHead, TrailLink

HISTORY = AISystem.history.model


def _chain(organisation):
    return list(TrailLink.objects.filter(organisation=organisation).order_by("seq"))


def _system_link(system, n=0):
    history_ids = list(system.history.order_by("history_id").values_list("history_id", flat=True))
    return TrailLink.objects.get(kind="history:registry.historicalaisystem", record_id=str(history_ids[n]))


def _rename_in_sql(history_id, name):
    """Tamper as someone with database access would: straight SQL, no application code."""
    assert HISTORY._meta.db_table == "registry_historicalaisystem"
    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_historicalaisystem SET name = %s WHERE history_id = %s", [name, history_id])


def _delete_in_sql(history_id):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_historicalaisystem WHERE history_id = %s", [history_id])


@pytest.fixture
def system(org):
    system = AISystemFactory(organisation=org, name="Triage model")
    system.name = "Triage model v2"
    system.save()
    return system


def test_every_history_record_is_chained_in_order(org, other_org, system):
    theirs = AISystemFactory(organisation=other_org)
    links = _chain(org)
    assert [link.seq for link in links] == list(range(1, len(links) + 1))
    assert links[0].prev_hash == "0" * 64
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(links, links[1:], strict=False))
    kinds = [link.kind for link in links]
    assert kinds.count("history:registry.historicalaisystem") == system.history.count() >= 2
    assert "history:accounts.historicalorganisation" in kinds
    # The other organisation has a chain of its own.
    their_ids = {str(pk) for pk in theirs.history.values_list("history_id", flat=True)}
    assert not {link.record_id for link in links if link.kind.endswith("historicalaisystem")} & their_ids
    assert their_ids <= set(TrailLink.objects.filter(organisation=other_org).values_list("record_id", flat=True))
    head = TrailHead.objects.get(organisation=org)
    assert (head.seq, head.hash) == (links[-1].seq, links[-1].hash)
    result = services.verify_chain(org)
    assert result.ok, result.breaks
    assert result.checked == len(links)


def test_a_history_row_edited_in_sql_is_detected(org, system):
    link = _system_link(system, 0)
    _rename_in_sql(link.record_id, "Harmless model")
    result = services.verify_chain(org)
    assert not result.ok
    assert result.first_break.seq == link.seq
    assert result.first_break.problem == "the record was changed"
    assert len(result.breaks) == 1  # the rest of the chain still holds


def test_a_history_row_deleted_in_sql_is_detected(org, system):
    link = _system_link(system, 1)
    _delete_in_sql(link.record_id)
    result = services.verify_chain(org)
    assert (result.first_break.seq, result.first_break.problem) == (link.seq, "the record was deleted")


def test_links_removed_altered_or_cut_off_are_detected(org, system):
    links = _chain(org)
    middle, last = links[len(links) // 2], links[-1]
    TrailLink.objects.filter(pk=middle.pk).delete()
    assert services.verify_chain(org).first_break.problem.startswith("link missing")

    TrailLink.objects.create(**{f.attname: getattr(middle, f.attname) for f in TrailLink._meta.concrete_fields})
    assert services.verify_chain(org).ok
    TrailLink.objects.filter(pk=middle.pk).update(content_hash="f" * 64)
    assert services.verify_chain(org).first_break.problem == "the link itself was altered"

    TrailLink.objects.filter(pk=middle.pk).update(content_hash=middle.content_hash)
    TrailLink.objects.filter(pk=last.pk).delete()  # dropping the newest record and its link
    result = services.verify_chain(org)
    assert result.first_break.kind == "head"


def test_appending_is_generic_for_other_record_kinds(org):
    store = {"1": {"event": "login", "user": "alice"}}
    services.register_kind("test.access", lambda organisation, ids: {i: store[i] for i in ids if i in store})
    before = services.chain_head(org)
    link = services.append_link(org, "test.access", 1, store["1"])
    assert link.prev_hash == before["hash"]
    assert services.chain_head(org)["hash"] == link.hash
    assert services.verify_chain(org).ok
    store["1"] = {"event": "login", "user": "mallory"}
    assert services.verify_chain(org).first_break.seq == link.seq
    del store["1"]
    assert services.verify_chain(org).first_break.problem == "the record was deleted"


def test_unknown_kinds_are_checked_as_chain_only(org):
    services.append_link(org, "test.unregistered", "x", {"a": 1})
    result = services.verify_chain(org)
    assert result.ok and result.content_unchecked == 1


def test_chain_head_as_of_a_date_and_a_time(org, system):
    links = _chain(org)
    assert services.chain_head(org)["hash"] == links[-1].hash
    assert services.chain_head(org, as_of=timezone.now() - dt.timedelta(days=1)) == {
        "seq": 0,
        "hash": "0" * 64,
        "at": None,
    }
    TrailLink.objects.filter(pk=links[-1].pk).update(created_at=timezone.now() + dt.timedelta(days=3))
    today = timezone.localdate()
    assert services.chain_head(org, as_of=today)["seq"] == links[-2].seq
    assert services.chain_head(org, as_of=today + dt.timedelta(days=5))["seq"] == links[-1].seq


def test_nothing_is_chained_while_suspended(org):
    count = TrailLink.objects.count()
    with services.suspended():
        AISystemFactory(organisation=org)
    assert TrailLink.objects.count() == count


def test_values_read_back_hash_like_values_written(org):
    """Datetimes in another zone, decimals, dates given as text: the stored record hashes the same."""
    from zoneinfo import ZoneInfo

    system = AISystemFactory(organisation=org)
    system.next_review = "2027-01-31"
    system.save()
    record = system.history.first()
    record.history_date = dt.datetime(2026, 5, 1, 12, 0, 0, 123456, tzinfo=ZoneInfo("Europe/Berlin"))
    names = services.history_fields(HISTORY)
    in_memory = services.history_content(HISTORY, record, names)
    record.save()
    stored = HISTORY.objects.filter(pk=record.pk).values().get()
    assert services.history_content(HISTORY, stored, names) == in_memory


def test_verify_trail_command(org, system, capsys):
    call_command("verify_trail", "--organisation", org.slug)
    assert "intact" in capsys.readouterr().out
    link = _system_link(system, 0)
    _rename_in_sql(link.record_id, "Edited")
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_trail")
    assert f"BROKEN at link #{link.seq}" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No organisation"):
        call_command("verify_trail", "--organisation", "nope")


def test_officer_page_verifies_and_shows_the_first_break(members, org, client_for, system):
    url = reverse("trail:status")
    client = client_for(members["officer"])
    page = client.get(url)
    assert page.status_code == 200
    assert TrailHead.objects.get(organisation=org).hash in page.text
    assert "The chain is intact" in client.post(url).text
    link = _system_link(system, 1)
    _rename_in_sql(link.record_id, "Edited")
    response = client.post(url)
    assert "The chain is broken" in response.text
    assert f"link #{link.seq}" in response.text
    for role in ("auditor", "admin"):
        assert client_for(members[role]).get(url).status_code == 200
    for role in ("viewer", "contributor"):
        assert client_for(members[role]).get(url).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_build_one_chain():
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL (SQLite serialises writers itself); run with DATABASE_URL=postgres://…")
    from accounts.tests.factories import OrganisationFactory

    organisation = OrganisationFactory()
    errors = []

    def writer(n):
        try:
            for i in range(15):
                services.append_link(organisation, "test.concurrent", f"{n}-{i}", {"n": n, "i": i})
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    seqs = list(TrailLink.objects.filter(organisation=organisation).values_list("seq", flat=True))
    assert sorted(seqs) == list(range(1, len(seqs) + 1))
    assert len(seqs) == 8 * 15 + 1  # and the organisation's own creation
    assert services.verify_chain(organisation).ok


def test_a_history_row_inserted_behind_the_application_is_found_and_earlier_rows_can_be_adopted(org, system):
    record = system.history.first()
    record.pk = None
    record.name = "Forged entry"
    with services.suspended():  # as if written straight into the table
        record.save()
    result = services.verify_chain(org)
    assert [(b.kind, b.record_id, b.problem) for b in result.breaks] == [
        ("history:registry.historicalaisystem", str(record.pk), "a history record that is not in the chain")
    ]
    call_command("verify_trail", "--organisation", org.slug, "--adopt-unchained")
    assert services.verify_chain(org).ok


def test_access_log_rows_are_chained_and_an_edit_in_sql_is_detected(org, members):
    from accounts.access import record_access
    from accounts.models import AccessKind, AccessLog

    (row,) = record_access(AccessKind.EXPORT, user=members["officer"], organisation=org, detail="risks.csv")
    link = TrailLink.objects.get(kind="accounts.accesslog", record_id=str(row.pk))
    assert link.organisation_id == org.pk
    assert services.verify_chain(org).ok

    with connection.cursor() as cursor:
        assert AccessLog._meta.db_table == "accounts_accesslog"
        cursor.execute("UPDATE accounts_accesslog SET detail = %s WHERE id = %s", ["nothing", row.pk.hex])
    breaks = services.verify_chain(org).breaks
    assert [(b.kind, b.record_id, b.problem) for b in breaks] == [
        ("accounts.accesslog", str(row.pk), "the record was changed")
    ]
