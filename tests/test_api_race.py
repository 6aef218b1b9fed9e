"""Racing writers lose nothing: 1,000 pairs of concurrent PATCHes of the same record, each changing another
field, through the API on PostgreSQL (SQLite serialises writers by locking the whole database).

Without the row lock taken before the record is read (aims/api/safety.py), both writers of a pair read the
same stored record and the second save writes the first one's field back to its old value.
"""

import os
import threading

import pytest
from django.db import connection, connections

PAIRS = int(os.environ.get("AIMS_RACE_PAIRS", "1000"))


@pytest.mark.django_db(transaction=True)
def test_racing_update_pairs_lose_nothing(org, officer, api_for, record_property):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers by locking the whole database")
    from registry.models import AISystem
    from registry.tests.factories import AISystemFactory

    systems = [AISystemFactory(organisation=org, name=f"System {i}") for i in range(PAIRS)]
    barrier = threading.Barrier(2)
    errors = []

    def writer(field, value):
        api = api_for(officer, org)
        try:
            for i, system in enumerate(systems):
                barrier.wait(timeout=60)
                response = api.patch(f"/api/v1/ai-systems/{system.pk}/", {field: value(i)}, format="json")
                if response.status_code != 200:
                    errors.append((field, i, response.status_code, response.content[:200]))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=writer, args=("name", lambda i: f"Renamed {i}")),
        threading.Thread(target=writer, args=("intended_purpose", lambda i: f"Purpose {i}")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:5]
    stored = dict(AISystem.objects.filter(organisation=org).values_list("name", "intended_purpose"))
    lost = [i for i in range(PAIRS) if stored.get(f"Renamed {i}") != f"Purpose {i}"]
    record_property("race_pairs", PAIRS)
    assert not lost, f"{len(lost)} of {PAIRS} pairs lost an update, e.g. pair {lost[0]}"
