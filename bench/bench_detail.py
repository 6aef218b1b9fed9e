"""Benchmark 2: the detail page of the large AI system (AIS-00001: hundreds of risks, controls, evidence and
history rows), every tab: p95 time and query count. Floor: one raw SQL query fetching the system row and the
references of its risks, controls and evidence, serialised with orjson. Target: <= 15 queries per tab."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

common.setup_django()

import orjson  # noqa: E402
from django.db import connection  # noqa: E402

from registry.models import AISystem  # noqa: E402

FLOOR_SQL = """
SELECT s.*,
  ARRAY(SELECT r.reference FROM risk_risk_ai_systems x JOIN risk_risk r ON r.id = x.risk_id WHERE x.aisystem_id = s.id),
  ARRAY(SELECT c.reference FROM controls_control_ai_systems x JOIN controls_control c ON c.id = x.control_id
        WHERE x.aisystem_id = s.id),
  ARRAY(SELECT e.reference FROM controls_evidence_ai_systems x JOIN controls_evidence e ON e.id = x.evidence_id
        WHERE x.aisystem_id = s.id),
  ARRAY(SELECT h.history_date FROM registry_historicalaisystem h WHERE h.id = s.id ORDER BY h.history_date DESC)
FROM registry_aisystem s WHERE s.id = %s
"""


def main():
    user, org = common.officer_and_org()
    system = AISystem.objects.get(organisation=org, reference="AIS-00001")
    client = common.signed_in_client(user, org)
    url = f"/inventory/systems/{system.pk}/"

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(FLOOR_SQL, [system.pk])
            return orjson.dumps(cursor.fetchall(), default=str)

    fl = common.repeat(floor)
    html = client.get(url).content.decode()
    tabs = list(dict.fromkeys(re.findall(r"[?&]tab=([a-z0-9_-]+)", html))) or ["overview"]
    results = []
    for tab in tabs:
        tab_url = f"{url}?tab={tab}"

        def get(u=tab_url):
            response = client.get(u)
            assert response.status_code == 200, (u, response.status_code)
            return response

        t = common.repeat(get)
        q = common.count_queries(get)
        results.append(
            common.result(
                f"AI system detail (AIS-00001), tab {tab}",
                t["p95"],
                "ms p95",
                floor=fl["p95"],
                target="<= 15 queries (time reported)",
                ok=q <= 15,
                median=t["median"],
                queries=q,
            )
        )
    common.emit("detail", results)


if __name__ == "__main__":
    main()
