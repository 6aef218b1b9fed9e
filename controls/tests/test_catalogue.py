"""The shipped catalogue: reference counts, idempotent loading, upgrades, withdrawals, no ISO text."""

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from controls import catalogue as loader
from controls.catalogue import CatalogueError, flatten, load_catalogue, read_document
from controls.models import Framework, Requirement, RequirementMapping

DATA = loader.DATA_DIR


def kinds(key):
    return Counter(
        Requirement.objects.filter(framework__key=key, organisation__isnull=True).values_list("kind", flat=True)
    )


def file_kinds(name):
    return Counter(row["kind"] for row in flatten(read_document(name)["requirements"]))


def test_iso42001_has_38_annex_a_controls_in_9_sections_and_every_clause(catalogue):
    counts = kinds("iso42001")
    assert counts["annex_a_control"] == 38
    assert counts["section"] == 9
    assert counts["objective"] == 2  # A.6.1 and A.6.2
    assert counts["clause"] == 7 + 24 + 12
    assert counts["annex_c_objective"] == 11
    assert counts["annex_c_risk_source"] == 7
    clauses = Requirement.objects.filter(framework__key="iso42001", kind="clause")
    # Every sub-clause without sub-clauses of its own is assessable; the headings above them are not.
    assert set(clauses.filter(assessable=False).values_list("identifier", flat=True)) == {
        "4",
        "5",
        "6",
        "7",
        "8",
        "9",
        "10",
        "6.1",
        "7.5",
        "9.2",
        "9.3",
    }
    assert clauses.get(identifier="6.1.4").parent.identifier == "6.1"
    assert Requirement.objects.get(framework__key="iso42001", identifier="A.6.2.4").parent.identifier == "A.6.2"


def test_nist_ai_rmf_has_4_functions_19_categories_72_subcategories(catalogue):
    assert kinds("nist_ai_rmf") == {"function": 4, "category": 19, "subcategory": 72}
    per_function = Counter(
        Requirement.objects.filter(framework__key="nist_ai_rmf", kind="subcategory").values_list(
            "parent__parent__identifier", flat=True
        )
    )
    assert per_function == {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}
    govern_1_1 = Requirement.objects.get(framework__key="nist_ai_rmf", identifier="GOVERN 1.1")
    assert govern_1_1.statement.startswith("Legal and regulatory requirements involving AI")


def test_iso27001_has_93_annex_a_controls_in_4_themes(catalogue):
    counts = kinds("iso27001")
    assert counts["annex_a_control"] == 93
    assert counts["theme"] == 4
    by_theme = Counter(
        Requirement.objects.filter(framework__key="iso27001", kind="annex_a_control").values_list(
            "parent__identifier", flat=True
        )
    )
    assert by_theme == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
    controls = Requirement.objects.filter(framework__key="iso27001", kind="annex_a_control")
    assert sum(1 for c in controls if c.attributes.get("new_in_2022")) == 11


def test_eu_ai_act_has_the_obligation_articles_by_risk_tier(catalogue):
    articles = set(
        Requirement.objects.filter(framework__key="eu_ai_act", kind="article").values_list("identifier", flat=True)
    )
    wanted = {9, 10, 11, 12, 13, 14, 15, 16, 17, 26, 27, 43, 47, 48, 49, 50, 53, 54, 55, 72, 73}
    assert {f"Art. {n}" for n in wanted} <= articles
    tiers = Requirement.objects.filter(framework__key="eu_ai_act", kind="risk_tier").values_list(
        "identifier", flat=True
    )
    assert {"Prohibited", "High-risk", "Limited risk", "Minimal risk", "GPAI"} <= set(tiers)
    assert Requirement.objects.filter(framework__key="eu_ai_act", identifier__startswith="Art. 5(1)(").count() == 8
    art26 = Requirement.objects.get(framework__key="eu_ai_act", identifier="Art. 26")
    assert art26.attributes["role"] == "deployer"


def test_gdpr_has_the_22_articles_that_bear_on_ai(catalogue):
    assert kinds("gdpr")["article"] == 22
    art22 = Requirement.objects.get(framework__key="gdpr", identifier="Art. 22")
    assert "ai_system_adm" in art22.attributes["aims_objects"]


def test_nist_to_42001_crosswalk_has_280_pairs_citing_its_source(catalogue):
    pairs = RequirementMapping.objects.published().filter(source_key="nist_ai_rmf_to_iso42001")
    assert pairs.count() == 280
    assert pairs.filter(target__kind="annex_a_control").count() == 201
    assert pairs.filter(target__kind="clause").count() == 79
    assert pairs.values("source").distinct().count() == 72
    assert pairs.filter(target__kind="annex_a_control").values("target").distinct().count() == 38
    assert set(pairs.values_list("relationship", flat=True)) == {"related"}
    assert all("Crosswalk" in label for label in pairs.values_list("source_label", flat=True).distinct())
    assert set(pairs.values_list("source_url", flat=True)) == {
        "https://airc.nist.gov/docs/NIST_AI_RMF_to_ISO_IEC_42001_Crosswalk.pdf"
    }


def test_42001_to_27001_crosswalk_is_clause_level_only(catalogue):
    pairs = RequirementMapping.objects.published().filter(source_key="iso42001_to_iso27001_clauses")
    assert pairs.count() == 41
    assert set(pairs.values_list("source__kind", flat=True)) == {"clause"}
    assert set(pairs.values_list("target__kind", flat=True)) == {"clause"}
    assert not pairs.filter(source__identifier__in=["6.1.4", "8.4"]).exists()
    assert pairs.filter(source_relation="same_hs_slot_discipline_specific").count() == 4


def test_database_matches_the_data_files_kind_by_kind(catalogue):
    for name in catalogue_files():
        doc = read_document(name)
        assert kinds(doc["framework"]["key"]) == file_kinds(name), name
    for name in loader.CROSSWALK_FILES:
        doc = read_document(name)
        assert RequirementMapping.objects.filter(source_key=doc["key"]).count() == len(doc["pairs"]), name
    assert len(read_document("crosswalk_nist_iso42001.yaml")["pairs"]) == 280
    assert file_kinds("iso42001.yaml")["annex_a_control"] == 38
    assert file_kinds("nist_ai_rmf.yaml")["subcategory"] == 72
    assert file_kinds("iso27001.yaml")["annex_a_control"] == 93


def catalogue_files():
    return loader.FRAMEWORK_FILES


def test_every_data_file_is_versioned():
    for name in (*loader.FRAMEWORK_FILES, *loader.CROSSWALK_FILES):
        assert isinstance(read_document(name)["version"], int), name


def test_loading_twice_writes_nothing_the_second_time(catalogue):
    load_catalogue()
    before = (
        Requirement.objects.count(),
        RequirementMapping.objects.count(),
        Requirement.history.count(),
        RequirementMapping.history.count(),
        Framework.history.count(),
    )
    reports = load_catalogue()
    after = (
        Requirement.objects.count(),
        RequirementMapping.objects.count(),
        Requirement.history.count(),
        RequirementMapping.history.count(),
        Framework.history.count(),
    )
    assert after == before
    assert not any(report.changed for report in reports)
    assert sum(report.unchanged for report in reports if report.kind == "crosswalk") == 321


def test_the_first_load_records_history_for_every_row(catalogue):
    control = Requirement.objects.get(framework__key="iso42001", identifier="A.6.2.4")
    first = control.history.earliest("history_date")
    assert first.history_type == "+"
    assert first.history_change_reason.startswith("Catalogue iso42001")


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def edit(path: Path, change):
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


def find(entries, identifier):
    for entry in entries:
        if entry["identifier"] == identifier:
            return entry, entries
        found = find(entry.get("children", []), identifier)
        if found:
            return found
    return None


def test_upgrade_changes_a_title_adds_and_removes_without_duplicating(catalogue, data_copy):
    total = Requirement.objects.filter(framework__key="iso42001").count()

    def change(doc):
        doc["version"] = 2
        entry, _ = find(doc["requirements"], "A.6.2.4")
        entry["title"] = "AI system verification and validation (renamed)"
        _, siblings = find(doc["requirements"], "C.risk_source.hardware")
        siblings[:] = [e for e in siblings if e["identifier"] != "C.risk_source.hardware"]
        entry, _ = find(doc["requirements"], "A.10")
        entry["children"].append({"identifier": "A.10.5", "title": "A new control", "kind": "annex_a_control"})

    edit(data_copy / "iso42001.yaml", change)
    reports = load_catalogue(only="iso42001", data_dir=data_copy)
    framework_report = reports[0]
    assert (framework_report.created, framework_report.updated, framework_report.deleted) == (1, 1, 1)
    assert framework_report.previous_version == 1
    assert "(was v1)" in str(framework_report)
    assert Requirement.objects.filter(framework__key="iso42001").count() == total
    control = Requirement.objects.get(framework__key="iso42001", identifier="A.6.2.4")
    assert control.title.endswith("(renamed)")
    assert control.history.latest("history_date").history_change_reason == "Catalogue iso42001 v2"
    assert Framework.objects.get(key="iso42001").data_version == 2
    new = Requirement.objects.get(framework__key="iso42001", identifier="A.10.5")
    assert new.parent.identifier == "A.10"
    assert new.sort_order < Requirement.objects.get(framework__key="iso42001", identifier="Annex C").sort_order
    assert not Requirement.objects.filter(identifier="C.risk_source.hardware").exists()
    # The crosswalks that involve the framework were checked again, unchanged.
    assert [r.key for r in reports[1:]] == ["nist_ai_rmf_to_iso42001", "iso42001_to_iso27001_clauses"]
    assert not any(r.changed for r in reports[1:])


def test_dropped_requirement_that_an_organisation_uses_is_withdrawn_then_restored(catalogue, data_copy, org, officer):
    from controls import services

    own = services.framework_create(actor=officer, organisation=org, data={"key": "acme", "name": "Acme"})
    question = services.requirement_create(
        actor=officer, framework=own, data={"identifier": "Q1", "title": "Suppliers"}
    )
    risk_source = Requirement.objects.get(framework__key="iso42001", identifier="C.risk_source.hardware")
    services.mapping_create(actor=officer, organisation=org, data={"source": question, "target": risk_source})

    def drop(doc):
        _, siblings = find(doc["requirements"], "C.risk_source.hardware")
        siblings[:] = [e for e in siblings if e["identifier"] != "C.risk_source.hardware"]

    edit(data_copy / "iso42001.yaml", drop)
    report = load_catalogue(only="iso42001", data_dir=data_copy)[0]
    assert (report.withdrawn, report.deleted) == (1, 0)
    risk_source.refresh_from_db()
    assert risk_source.withdrawn
    assert RequirementMapping.objects.own(org).filter(target=risk_source).exists()

    report = load_catalogue(only="iso42001")[0]  # the shipped file has it again
    assert report.restored == 1
    risk_source.refresh_from_db()
    assert not risk_source.withdrawn


def test_a_crosswalk_pair_naming_an_unknown_identifier_is_refused_and_nothing_changes(catalogue, data_copy):
    def change(doc):
        doc["pairs"].append({"source": "GOVERN 1.1", "target": "A.99.1"})

    edit(data_copy / "crosswalk_nist_iso42001.yaml", change)
    before = RequirementMapping.objects.count()
    with pytest.raises(CatalogueError, match="A.99.1"):
        load_catalogue(data_dir=data_copy)
    assert RequirementMapping.objects.count() == before


def test_a_duplicate_identifier_in_a_file_is_refused(data_copy):
    def change(doc):
        doc["requirements"].append({"identifier": "4", "title": "Again", "kind": "clause"})

    edit(data_copy / "iso42001.yaml", change)
    with pytest.raises(CatalogueError, match="appears twice"):
        load_catalogue(only="iso42001", data_dir=data_copy)


def test_unknown_only_key_is_refused(db):
    with pytest.raises(CatalogueError, match="Unknown framework"):
        load_catalogue(only="iso9001")


def test_management_command_reports_counts(catalogue, capsys):
    call_command("load_frameworks", "--only", "gdpr")
    out = capsys.readouterr().out
    assert "framework gdpr v2: 0 created, 0 updated, 25 unchanged" in out
    assert "The catalogue is up to date." in out


def test_the_data_migration_loader_works_with_the_migrations_models(catalogue):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    RequirementMapping.objects.all().delete()
    for depth in range(6, -1, -1):
        Requirement.objects.filter(depth=depth).delete()
    Framework.objects.all().delete()
    state = MigrationExecutor(connection).loader.project_state(("controls", "0002_load_catalogue"))
    loader.load_catalogue_migration(state.apps, None)
    assert Requirement.objects.filter(framework__key="iso42001", kind="annex_a_control").count() == 38
    assert RequirementMapping.objects.count() == 321


# --- No ISO text in the repository ------------------------------------------------------------------

ISO_FILES = ("iso42001.yaml", "iso27001.yaml")
# Phrases that open ISO requirement and control text; split so this file does not contain them either.
NORMATIVE = [
    "The organization " + "shall",
    "shall " + "determine",
    "shall " + "establish",
    "shall " + "ensure",
    "shall be " + "documented",
    "should be " + "defined",
]


def iter_entries(entries):
    for entry in entries:
        yield entry
        yield from iter_entries(entry.get("children", []))


def test_iso_data_files_carry_only_identifiers_titles_and_our_guidance():
    for name in ISO_FILES:
        for entry in iter_entries(read_document(name)["requirements"]):
            assert set(entry) <= loader.ISO_ENTRY_KEYS, (name, entry["identifier"])
            assert "statement" not in entry
            assert len(entry["title"]) <= 100, entry["identifier"]
            guidance = entry.get("guidance", "")
            assert len(guidance) <= 400, entry["identifier"]
            assert "\n" not in guidance
            assert "shall" not in guidance.lower() and "shall" not in entry["title"].lower(), entry["identifier"]


def test_shipped_iso_requirements_have_no_published_text(catalogue):
    iso = Requirement.objects.shipped().filter(framework__key__in=["iso42001", "iso27001"])
    assert iso.count() > 200
    assert not iso.exclude(statement="").exists()


def test_no_normative_iso_phrase_anywhere_in_the_app_or_its_templates():
    root = Path(__file__).resolve().parents[2]
    paths = [p for p in (root / "controls").rglob("*") if p.suffix in (".py", ".yaml", ".html", ".js")]
    paths += list((root / "templates" / "controls").rglob("*.html"))
    for path in paths:
        text = path.read_text(encoding="utf-8").lower()
        for phrase in NORMATIVE:
            if path.name.startswith("nist") or path.name == "gdpr.yaml" or path.name == "eu_ai_act.yaml":
                continue  # public-domain and EU texts may use these words
            assert phrase.lower() not in text, f"{path}: {phrase}"
