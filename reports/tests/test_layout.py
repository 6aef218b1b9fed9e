"""A pack laid out section by section (reports.layout): the joined PDF reads as one document. The contents and
the documented-information index give the pages where the sections really start, the outline leads to them,
links between sections land on their targets, every page says "Page x of y" of the whole, and one process or two
give the same text."""

import io
import re
import shutil
import subprocess

import pytest
import time_machine
from django.utils import timezone, translation
from pypdf import PdfReader

from aims import pdf as aims_pdf
from reports import build, layout
from reports.models import ReportJob

PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [pytest.mark.django_db, pytest.mark.skipif(PDFTOTEXT is None, reason="needs pdftotext (poppler-utils)")]


def _render(org, user, processes):
    job = ReportJob(organisation=org, requested_by=user, frameworks=["iso42001"], as_of=timezone.now())
    job.reference = "PCK-900"
    ctx = build.context_for(job)
    sections = build.gather(job, ctx)
    generated_at = timezone.now().replace(microsecond=0)
    pdf = layout.render(job, ctx, sections, generated_at=generated_at, processes=processes)
    return pdf, [s["section"] for s in sections]


def _pages(pdf: bytes) -> list[str]:
    text = subprocess.run([PDFTOTEXT, "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout  # noqa: S603
    return [" ".join(page.split()) for page in text.decode().split("\f")][: len(PdfReader(io.BytesIO(pdf)).pages)]


@pytest.fixture
def every_section_a_part(monkeypatch):
    """The test organisation is small: without this its sections would share parts."""
    monkeypatch.setattr(layout, "MIN_PART_CHARS", 0)
    monkeypatch.setattr(layout, "SINGLE_CALL_CHARS", 0)


@pytest.fixture
def pack(org, small_org, officer, every_section_a_part):
    pdf, sections = _render(org, officer, processes=2)
    return pdf, sections, _pages(pdf)


def _starts(pages, sections) -> dict[str, int]:
    """The page (from 1) where each section's heading ("<n> <title>") first appears after the contents."""
    contents = next(i for i, text in enumerate(pages) if text.startswith(pages[1][:20]) and "Contents" in text)
    starts = {}
    for number, section in enumerate(sections, 1):
        heading = f"{number} {section.title}"  # the number and the title of the section's heading
        starts[section.key] = next(i + 1 for i, text in enumerate(pages) if i > contents and heading in text)
    return starts


def test_the_contents_give_the_page_where_each_section_starts(pack):
    pdf, sections, pages = pack
    starts = _starts(pages, sections)
    assert len(set(starts.values())) == len(sections), "each section starts on a page of its own"
    contents = pages[1]
    for number, section in enumerate(sections, 1):
        # "3. Roles, responsibilities and authorities 5.3 . . . . . 6": the number after the leader dots.
        listed = re.search(rf"{number}\. {re.escape(str(section.title))}.*?\.(?: ?\.)+ ?(\d+)", contents)
        assert listed, section.title
        assert int(listed.group(1)) == starts[section.key], section.title


def test_the_documented_information_index_refers_to_the_right_pages(pack):
    _pdf, sections, pages = pack
    starts = _starts(pages, sections)
    index = next(text for text in reversed(pages) if "Documented-information index" in text)
    references = re.findall(r"(Controls and evidence index|Statement of Applicability) \(p\. (\d+)\)", index)
    assert references
    for title, page in references:
        key = next(s.key for s in sections if str(s.title) == title)
        assert int(page) == starts[key]


def test_every_page_but_the_cover_says_page_x_of_y(pack):
    _pdf, _sections, pages = pack
    total = len(pages)
    assert "Page 1 of" not in pages[0]
    for number, text in enumerate(pages[1:], 2):
        assert text.count(" of ") >= 1 and f"Page {number} of {total}" in text, number
        assert len(re.findall(r"Page \d+ of \d+", text)) == 1, f"one footer on page {number}"
    assert pages[-1].endswith(f"Page {total} of {total}")


def test_the_outline_leads_to_each_section(pack):
    pdf, sections, pages = pack
    starts = _starts(pages, sections)
    reader = PdfReader(io.BytesIO(pdf))

    def flat(items):
        for item in items:
            if isinstance(item, list):
                yield from flat(item)
            else:
                yield item

    entries = [(item.title, reader.get_destination_page_number(item) + 1) for item in flat(reader.outline)]
    for section in sections:
        found = [page for title, page in entries if str(section.title) in title]
        assert found == [starts[section.key]], section.title
    assert any("Contents" in title for title, _page in entries)


def test_links_between_sections_land_on_their_target(pack, small_org):
    """The controls section links each control's risk to the risk register, laid out in another part."""
    pdf, sections, pages = pack
    reader = PdfReader(io.BytesIO(pdf))
    risk = small_org["risk"].reference
    starts = _starts(pages, sections)
    keys = [s.key for s in sections]
    controls_pages = range(starts["controls"] - 1, starts[keys[keys.index("controls") + 1]] - 1)
    targets = []
    for index in controls_pages:
        for annotation in reader.pages[index].get("/Annots") or []:
            annotation = annotation.get_object()
            assert "/A" not in annotation or "aims-anchor" not in str(annotation["/A"].get("/URI", ""))
            if "/Dest" in annotation:
                targets.append(reader.get_page_number(annotation["/Dest"][0].get_object()) + 1)
    assert targets, "the controls section has internal links"
    risk_row_page = next(i + 1 for i, text in enumerate(pages) if i + 1 >= starts["risk"] and risk in text)
    assert risk_row_page in targets


@pytest.fixture
def clock_stopped():
    """Two builds compared text for text must print the same "generated at" minute (CI once crossed 14:26 -> 14:27
    between them)."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


def test_one_process_or_two_give_the_same_text(org, small_org, officer, every_section_a_part, clock_stopped):
    one, _sections = _render(org, officer, processes=1)
    two, _sections = _render(org, officer, processes=2)
    assert _pages(one) == _pages(two)


def test_parts_read_like_the_document_laid_out_in_one_call(org, small_org, officer, clock_stopped):
    """A short pack is laid out in one call; laid out section by section it reads the same, page for page."""
    together, _sections = _render(org, officer, processes=1)
    with pytest.MonkeyPatch().context() as patch:
        patch.setattr(layout, "MIN_PART_CHARS", 0)
        patch.setattr(layout, "SINGLE_CALL_CHARS", 0)
        apart, _sections = _render(org, officer, processes=1)
    assert len(PdfReader(io.BytesIO(apart)).outline) == len(PdfReader(io.BytesIO(together)).outline)
    assert _pages(together) == _pages(apart)


def test_a_part_that_fails_in_its_process_fails_the_document(monkeypatch):
    """The error of a forked layout process reaches the build (which retries, then marks the job failed)."""

    def broken(html, *, page_footer):
        if "second" in html:
            raise ValueError("no room on the page")
        return real(html, page_footer=page_footer)

    real = aims_pdf._lay_out
    monkeypatch.setattr(aims_pdf, "_lay_out", broken)
    parts = [aims_pdf.DocumentPart(lambda numbers, text=text: f"<p>{text}</p>") for text in ("first", "second")]
    with pytest.raises(aims_pdf.LayoutFailed, match="no room on the page"):
        aims_pdf.render_document(parts, processes=2, page_label=layout.page_label)


def test_the_page_label_written_at_the_join_is_in_the_pack_language():
    with translation.override("de"):
        assert layout.page_label(3, 10) == "Seite 3 von 10"
    assert layout.page_label(3, 10) == "Page 3 of 10"
