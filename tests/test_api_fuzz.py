"""API fuzzing: schemathesis runs the whole OpenAPI schema against a live test server with a real token.

Every operation of ``/api/v1/schema/`` is called with generated input (a bounded number of examples per
operation, a fixed seed, so a run is reproducible and takes a couple of minutes): no answer may be a server
error, and every answer must match the schema (status code documented, body valid). The figures — operations,
requests sent, failures — are printed at the end of the run; a failure names the operation and the request.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MAX_EXAMPLES = int(os.environ.get("AIMS_FUZZ_EXAMPLES", "2"))
PHASES = os.environ.get("AIMS_FUZZ_PHASES", "examples,fuzzing")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def _seed(org, members):
    """A little of everything, so lists and objects answer with real rows, not only empty pages and 404s."""
    from registry.tests.factories import AISystemFactory, DatasetFactory, SupplierFactory
    from tests.isolation_factories import FACTORIES

    AISystemFactory(organisation=org, business_owner=members["officer"])
    DatasetFactory(organisation=org)
    SupplierFactory(organisation=org)
    for make in FACTORIES.values():
        try:
            make(org)
        except Exception:  # noqa: BLE001, S112 - some factories need more context; lists still get rows
            continue


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(
    live_server, org, members, record_property, tmp_path
):
    from accounts import services

    _seed(org, members)
    _, key = services.api_token_create(user=members["officer"], organisation=org)
    report = tmp_path / "ndjson"
    # The schema is generated here (as the /api/v1/schema/ view does) rather than fetched: a busy CI machine
    # may take longer than schemathesis's load timeout to build it.
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema_file = tmp_path / "openapi.json"
    schema_file.write_bytes(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        str(schema_file),
        "--url",
        live_server.url,
        "-H",
        f"Authorization: Token {key}",
        "--checks",
        CHECKS,
        "--phases",
        PHASES,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        "42",
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--generation-database",
        "none",
        "--no-color",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--suppress-health-check",
        "all",
        "--generation-with-security-parameters",
        "false",
        # Revoking would revoke the fuzzer's own token (it finds its id in GET /tokens/): everything after
        # would be a 401. Revocation is tested in accounts/tests.
        "--exclude-path",
        "/api/v1/tokens/{id}/revoke/",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    operations, requests, failures = _figures(report, result.stdout)
    record_property("schemathesis_operations", operations)
    record_property("schemathesis_requests", requests)
    record_property("schemathesis_failures", failures)
    output = os.environ.get("AIMS_FUZZ_OUTPUT")
    if output:
        Path(output).write_text(result.stdout + result.stderr)
    print(result.stdout[result.stdout.find("=== FAILURES") :][-60000:])
    assert operations > 100, result.stdout[-3000:] + result.stderr[-3000:]
    assert requests > operations
    assert failures == 0 and result.returncode == 0, result.stdout[-15000:]


def _figures(report: Path, stdout: str) -> tuple[int, int, int]:
    """(operations, requests, failures) from schemathesis's summary (and its NDJSON event log)."""
    import re

    tested = re.search(r"Tested: (\d+)", stdout)
    generated = re.search(r"(\d+) generated", stdout)
    found = re.search(r"found (\d+) unique failures?", stdout)
    if tested and generated:
        return int(tested.group(1)), int(generated.group(1)), int(found.group(1)) if found else 0
    return _figures_from_events(report)


def _figures_from_events(report: Path) -> tuple[int, int, int]:
    operations = requests = failures = 0
    if not report.exists():
        return 0, 0, 0
    for line in report.read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        for kind, payload in event.items():
            if kind == "ScenarioFinished" and isinstance(payload, dict):
                recorder = payload.get("recorder") or {}
                cases = recorder.get("cases") or {}
                interactions = recorder.get("interactions") or {}
                requests += len(interactions) or len(cases)
                checks = recorder.get("checks") or {}
                for results in checks.values():
                    failures += sum(1 for check in results if check.get("status") == "FAILURE")
            if kind == "PhaseFinished":
                pass
            if kind == "EngineFinished" and isinstance(payload, dict):
                pass
            if kind == "NonFatalError":
                failures += 1
        if "ScenarioStarted" in event:
            pass
    operations = _operations(report)
    return operations, requests, failures


def _operations(report: Path) -> int:
    labels = set()
    for line in report.read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        payload = event.get("ScenarioFinished")
        if isinstance(payload, dict) and payload.get("label"):
            labels.add(payload["label"])
        elif isinstance(payload, dict) and isinstance(payload.get("recorder"), dict):
            labels.add(payload["recorder"].get("label"))
    labels.discard(None)
    return len(labels)
