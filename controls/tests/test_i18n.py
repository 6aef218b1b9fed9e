"""The controls app in German: the SoA PDF follows the organisation's language, whoever asks for it, and the
pages, choice labels and service messages read in German when German is active."""

import datetime as dt
import io

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from aims.services import ServiceError
from controls import services
from controls.constants import ImplementationStatus, SoAStatus
from controls.reports import soa_pdf
from controls.selectors_soa import group_by_section, soa_rows, soa_summary


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_soa_pdf_is_in_the_organisations_language_whatever_the_reader_reads(soa, org):
    rows = [row.data for row in soa_rows(soa)]
    org.language = "de"  # the field comes with the core i18n work; accounts.locale reads it with getattr
    with translation.override("en-gb"):
        text = _pdf_text(soa_pdf(organisation=org, rows=rows, version=1, status=SoAStatus.DRAFT))
    assert "Anwendbarkeitserklärung" in text and "Nicht freigegeben: Arbeitsentwurf" in text
    assert "Statement of Applicability" not in text
    assert translation.get_language() == "en-gb"  # the override ends with the PDF


def test_soa_pdf_stays_in_english_for_an_organisation_without_a_language(soa, org):
    rows = [row.data for row in soa_rows(soa)]
    with translation.override("de"):
        text = _pdf_text(soa_pdf(organisation=org, rows=rows, version=1, status=SoAStatus.DRAFT))
    assert "Statement of Applicability" in text and "Anwendbarkeitserklärung" not in text


def test_frozen_soa_lines_show_their_labels_in_the_readers_language(soa):
    line = {**soa_rows(soa)[0].data, "implementation_status": "implemented", "implementation_status_label": "x"}
    with translation.override("de"):
        html = render_to_string(
            "controls/partials/soa_table.html",
            {"groups": group_by_section([line]), "summary": soa_summary([line]), "editable": False},
        )
    assert "Umgesetzt" in html and "Anhang-A-Maßnahme" in html and ">x<" not in html


def test_choice_labels_and_service_messages_read_in_german(org, officer):
    control = services.control_create(actor=officer, organisation=org, data={"title": "Bias testing"})
    with translation.override("de"):
        assert str(ImplementationStatus.IMPLEMENTED.label) == "Umgesetzt"
        with pytest.raises(ServiceError) as caught:
            services.control_record_check(
                actor=officer,
                control=control,
                checked_on=dt.date.today() + dt.timedelta(days=2),
                result="effective",
                note="",
            )
    assert "Eine Prüfung kann nicht in der Zukunft erfasst werden." in caught.value.messages
