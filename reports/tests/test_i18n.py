"""A pack built by the worker for an organisation that reads AIMS in German: German headings, cover, contents,
running header and page footer; machine-facing parts (file names in the ZIP, manifest keys, CSV column headers)
stay as they are; the worker's language is untouched afterwards."""

import csv
import io
import json
import zipfile

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

import accounts.locale
from aims.roles import Role
from reports import build, services
from reports.models import JobStatus, ReportJob
from reports.tests.factories import age_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def german(monkeypatch, org):
    real = accounts.locale.language_for

    def language_for(*, user=None, organisation=None):
        if organisation is not None and organisation.pk == org.pk:
            return "de"
        return real(user=user, organisation=organisation)

    monkeypatch.setattr(accounts.locale, "language_for", language_for)


def _built_pack(org, user):
    job = ReportJob(organisation=org, requested_by=user, frameworks=["iso42001"], as_of=timezone.now())
    job.assign_reference()
    job.save()
    assert build.run(job.pk) == "complete"
    job.refresh_from_db()
    return job


def test_a_pack_for_a_german_organisation_is_in_german(german, org, small_org, officer):
    age_history(org, 5)
    job = _built_pack(org, officer)
    assert job.status == JobStatus.COMPLETE
    assert translation.get_language() == "en-gb", "the worker's language is restored after the build"
    with zipfile.ZipFile(services.file_of(job)) as archive:
        names = set(archive.namelist())
        pdf_name = next(n for n in names if n.endswith(".pdf"))
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(pdf_name))).pages)
        manifest = json.loads(archive.read("manifest.json"))
        header = next(csv.reader(io.StringIO(archive.read("registers/controls.csv").decode("utf-8-sig"))))
    # Cover, contents, running header, section headings and the page footer.
    for words in (
        "Zertifizierungs-Nachweispaket",
        "Stand des AIMS vom",
        "Inhalt",
        "Anwendbarkeitserklärung",
        "Anwendungsbereich und Kontext des AIMS",
        "Interne Audits, Nichtkonformitäten und Korrekturmaßnahmen",
        "Seite 2 von",
    ):
        assert words in text, words
    assert "Certification evidence pack" not in text and "Statement of Applicability" not in text
    # Machine-facing parts do not change with the language.
    assert {"registers/risks.csv", "registers/controls.csv", "manifest.json"} <= names
    assert {"files", "as_of", "generated_at"} <= set(manifest)
    assert "Reference" in header, "CSV column headers are read back by imports: never translated"


def test_a_dossier_for_a_german_organisation_is_in_german(german, org, small_org, members):
    job = services.request_dossier(user=members[Role.AUDITOR], organisation=org, system=small_org["system"])
    assert build.run(job.pk) == "complete"
    job.refresh_from_db()
    text = "\n".join(p.extract_text() for p in PdfReader(services.file_of(job)).pages)
    for heading in ("KI-System-Dossier", "Zweck und Verwendung", "Einstufung nach EU-KI-Verordnung", "Historie"):
        assert heading in text, heading
    assert "Triage assistant" in text, "data stays as entered"
