"""PDF rendering with WeasyPrint, shared by every app, with a URL fetcher that cannot reach the outside.

A PDF is rendered from HTML the app wrote itself, but that HTML holds user text; a link or an ``<img>`` in it
must never make the server fetch a file from its disk (``file://``) or from the network (SSRF). The fetcher
here therefore answers only ``data:`` URLs and the app's own static files (``/static/...``, read through the
staticfiles finders); every other URL is refused, and WeasyPrint leaves that resource out.

Templates link the shared print stylesheet with ``{% static 'css/print.css' %}``; relative static URLs resolve
against ``STATIC_BASE`` (an address that is never contacted, only parsed).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import logging
import mimetypes
import os
import pickle
import shutil
import signal
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders

# WeasyPrint reports every rendering step at INFO; keep its warnings (a refused URL) and errors only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Never contacted: relative URLs in the HTML are joined to it, and the fetcher maps its /static/ paths to files.
STATIC_BASE = "https://aims-static.invalid/"
_STATIC_HOST = urlsplit(STATIC_BASE).netloc


class PDFResourceRefused(ValueError):
    """A URL a PDF may not load (anything but ``data:`` and the app's static files)."""


def _static_prefix() -> str:
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    return prefix if prefix != "//" else "/static/"


def static_file_bytes(url: str) -> tuple[bytes, str] | None:
    """The content and type of an app static file named by ``url`` (``/static/css/print.css`` or the same
    under ``STATIC_BASE``), or None when ``url`` names anything else."""
    parts = urlsplit(url)
    foreign = parts.scheme not in ("http", "https") or parts.netloc != _STATIC_HOST
    if (parts.scheme or parts.netloc) and foreign:
        return None
    path = unquote(parts.path)
    prefix = _static_prefix()
    if not path.startswith(prefix):
        return None
    relative = PurePosixPath(path[len(prefix) :])
    if not relative.parts or any(part in ("..", "") or part.startswith(".") for part in relative.parts):
        return None
    found = finders.find(str(relative))
    if not found and settings.STATIC_ROOT:
        candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
        root = Path(settings.STATIC_ROOT).resolve()
        found = str(candidate) if candidate.is_file() and root in candidate.parents else None
    if not found:
        return None
    if isinstance(found, list):
        found = found[0]
    with open(found, "rb") as handle:
        content = handle.read()
    content_type = mimetypes.guess_type(str(relative))[0] or "application/octet-stream"
    return content, content_type


@functools.cache
def safe_url_fetcher_class():
    """The fetcher class, built on first use so that importing this module does not load WeasyPrint."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SafeURLFetcher(URLFetcher):
        """Answers ``data:`` URLs and the app's static files; refuses every other URL (file, http, ftp ...)."""

        def __init__(self, **kwargs):
            kwargs.setdefault("allowed_protocols", ("data", "http", "https"))
            kwargs.setdefault("allow_redirects", False)
            kwargs.setdefault("timeout", 5)
            super().__init__(**kwargs)

        def fetch(self, url, headers=None):
            if url.lower().startswith("data:"):
                return super().fetch(url, headers)
            static = static_file_bytes(url)
            if static is None:
                raise PDFResourceRefused(f"PDFs may load only data: URLs and the app's static files, not {url[:120]!r}")
            content, content_type = static
            return URLFetcherResponse(url, body=content, headers={"Content-Type": content_type})

    return SafeURLFetcher


def safe_url_fetcher():
    """A fresh fetcher instance (WeasyPrint keeps per-request state on it)."""
    return safe_url_fetcher_class()()


def render_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of ``html``. Relative URLs resolve against ``base_url`` (default ``STATIC_BASE``); only
    ``data:`` URLs and the app's static files are ever loaded."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url or STATIC_BASE, url_fetcher=safe_url_fetcher())
    return document.write_pdf()


# --- Documents laid out part by part ----------------------------------------------------------------------------
# WeasyPrint holds every laid-out page of a document in memory until the PDF is written (about 5 MB a dense page),
# so a long document is laid out in parts, each by its own WeasyPrint call and, with ``processes`` > 1, in its own
# forked process, which returns its memory when it exits. The parts are then joined with pypdf. What WeasyPrint
# would have resolved across the whole document is resolved here instead:
#   - page references (a table of contents): a part whose HTML asked for page numbers is laid out once with
#     placeholders, then again with the real numbers once every part's length is known;
#   - internal links: each part turns its links into ``ANCHOR_LINK`` URIs, which the join points at the page and
#     position of the anchor, whichever part holds it;
#   - the outline: every part's headings, rebuilt into one tree by WeasyPrint's own rules;
#   - "Page x of y": no part knows y, so the parts leave the footer box that print.css gives it (@bottom-right)
#     empty and the join writes the label there on every page.
ANCHOR_LINK = "https://aims-anchor.invalid/#"
_PX = 0.75  # PDF points per CSS pixel
_NO_PAGE_FOOTER = "@page { @bottom-right { content: none !important; } }"  # a user sheet: !important wins
# The "Page x of y" label as print.css sets it: 7.5pt, #5c636a, right-aligned in the bottom margin, centred in it.
_LABEL_SIZE = 7.5
_LABEL_RGB = (0x5C / 255, 0x63 / 255, 0x6A / 255)
# Helvetica is one of the fonts every PDF reader has (nothing to embed); Liberation Sans, the stylesheet's font, has
# the same metrics. Widths of the printable ASCII characters in 1/1000 em (Adobe's AFM); others count as a digit.
_HELVETICA_WIDTHS = dict(
    zip(
        map(chr, range(32, 127)),
        (
            278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556,
            556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778,
            722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278,
            278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
        ),
        strict=True,
    )
)  # fmt: skip


@dataclass(frozen=True)
class DocumentPart:
    """One part of a document: its HTML, given the first page number of every anchor in the whole document.

    ``html`` is first called with a stand-in that answers a placeholder; a part that asked it for any page number
    is laid out again once the real numbers are known."""

    html: Callable[[Mapping[str, int]], str]


class PendingPageNumbers(Mapping):
    """What a part's HTML gets before the page numbers are known: a placeholder of a page number's width for every
    anchor, remembering that it was asked."""

    PLACEHOLDER = "000"

    def __init__(self):
        self.asked = False

    def __getitem__(self, anchor):
        self.asked = True
        return self.PLACEHOLDER

    def __iter__(self):
        return iter(())

    def __len__(self):
        return 0

    def __contains__(self, anchor):
        return True


@dataclass
class _LaidOutPart:
    pdf: bytes
    # Per page: width, height, right and bottom margin, in PDF points.
    boxes: list[tuple[float, float, float, float]]
    # Anchor -> (page index in the part, x, y in PDF points).
    anchors: dict[str, tuple[int, float, float]]
    # Per page: WeasyPrint's bookmarks (level, label, (x, y) in CSS px, state).
    bookmarks: list[list[tuple]]

    @property
    def page_count(self) -> int:
        return len(self.boxes)


def _lay_out(html: str, *, page_footer: bool) -> _LaidOutPart:
    """Lay out one part (in whatever process this runs) and write its PDF, with every internal link turned into an
    ``ANCHOR_LINK`` URI (the anchor may be in another part)."""
    from weasyprint import CSS, HTML

    stylesheets = [] if page_footer else [CSS(string=_NO_PAGE_FOOTER)]
    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=safe_url_fetcher()).render(stylesheets=stylesheets)
    anchors, boxes, bookmarks = {}, [], []
    for index, page in enumerate(document.pages):
        for name, (x, y, *_size) in page.anchors.items():
            anchors.setdefault(name, (index, x * _PX, (page.height - y) * _PX))
        page.links = [
            ("external", ANCHOR_LINK + quote(target, safe=""), rectangle, box) if kind == "internal" else link
            for link in page.links
            for kind, target, rectangle, box in [link]
        ]
        box = page._page_box
        boxes.append((page.width * _PX, page.height * _PX, box.margin_right * _PX, box.margin_bottom * _PX))
        bookmarks.append(
            [(level, label, (x, page.height - y), state) for level, label, (x, y), state in page.bookmarks]
        )
    return _LaidOutPart(document.write_pdf(), boxes, anchors, bookmarks)


def _warm_up() -> None:
    """Import WeasyPrint and lay out a line here, before forking, so that every child starts with its modules,
    default stylesheets and font setup loaded instead of loading them again (about a second each)."""
    from weasyprint import HTML

    HTML(string="<p>AIMS</p>", base_url=STATIC_BASE, url_fetcher=safe_url_fetcher()).render()


def _child(task: Callable, path: str) -> None:
    """The body of a forked child: run ``task``, pickle its outcome to ``path``, exit without running anything of
    the parent's (no atexit hooks, no closing of the parent's database connection)."""
    code = 0
    try:
        outcome = ("ok", task())
    except BaseException as error:  # noqa: BLE001 - reported to the parent, which raises it
        outcome = ("error", f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
        code = 1
    try:
        with open(path, "wb") as handle:
            pickle.dump(outcome, handle, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(code)


class LayoutFailed(RuntimeError):
    """A part could not be laid out in its child process."""


def _run(tasks: list[Callable], processes: int) -> list:
    """The result of each task; with ``processes`` > 1 each runs in a forked child, that many at a time."""
    if processes <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    results = [None] * len(tasks)
    waiting = list(enumerate(tasks))[::-1]
    running: dict[int, tuple[int, str]] = {}
    folder = tempfile.mkdtemp(prefix="aims-layout-")
    # What exists before the fork is never collected in a child: a collected database cursor would otherwise
    # talk to the server over the parent's connection (and collecting it would copy pages the child shares).
    gc.collect()
    gc.freeze()
    try:
        while waiting or running:
            while waiting and len(running) < processes:
                index, task = waiting.pop()
                path = os.path.join(folder, f"{index}.pickle")
                pid = os.fork()
                if pid == 0:
                    _child(task, path)
                running[pid] = (index, path)
            finished = []
            for pid in list(running):
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    finished.append((pid, status))
            if not finished:
                time.sleep(0.02)
                continue
            for pid, status in finished:
                index, path = running.pop(pid)
                try:
                    with open(path, "rb") as handle:
                        kind, value = pickle.load(handle)  # noqa: S301  # nosec B301 - our own child wrote it just now, in our temp dir
                except (OSError, EOFError, pickle.UnpicklingError):
                    raise LayoutFailed(f"part {index + 1}: the layout process ended ({_exit_reason(status)})") from None
                if kind != "ok":
                    raise LayoutFailed(f"part {index + 1}: {value}")
                results[index] = value
        return results
    finally:
        for pid in running:  # only when raising: stop the children still at work
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        shutil.rmtree(folder, ignore_errors=True)
        gc.unfreeze()


def _exit_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def render_document(
    parts: list[DocumentPart], *, processes: int = 1, page_label: Callable[[int, int], str] | None = None
) -> bytes:
    """The PDF of ``parts`` laid out one by one and joined in order (see the notes above ``ANCHOR_LINK``).

    ``processes`` > 1 lays out that many parts at a time, each in a forked process; 1 lays them out here.
    ``page_label(page, pages)`` is written in the footer of every page but the first (the cover); None keeps the
    footer the stylesheet draws, which is right only for a single part."""
    page_footer = page_label is None
    pending = [PendingPageNumbers() for _ in parts]
    html = [part.html(numbers) for part, numbers in zip(parts, pending, strict=True)]
    refers = [i for i, numbers in enumerate(pending) if numbers.asked]
    if processes > 1:
        _warm_up()
    # Longest first, so that the last part to finish is a short one and both processes stay busy.
    order = sorted(range(len(parts)), key=lambda i: -len(html[i]))
    tasks = [functools.partial(_lay_out, html[i], page_footer=page_footer) for i in order]
    laid_out = [None] * len(parts)
    for i, result in zip(order, _run(tasks, processes), strict=True):
        laid_out[i] = result
    del tasks
    for _attempt in range(4):
        numbers = _page_numbers(laid_out)
        if not refers or _attempt == 3:
            break
        again = [functools.partial(_lay_out, parts[i].html(numbers), page_footer=page_footer) for i in refers]
        lengths = [laid_out[i].page_count for i in refers]
        for i, result in zip(refers, _run(again, processes), strict=True):
            laid_out[i] = result
        if lengths == [laid_out[i].page_count for i in refers]:
            break  # the real numbers did not change any part's length: every number printed is right
    return _join(laid_out, page_label)


def _first_pages(laid_out: list[_LaidOutPart]) -> list[int]:
    firsts, page = [], 0
    for part in laid_out:
        firsts.append(page)
        page += part.page_count
    return firsts


def _page_numbers(laid_out: list[_LaidOutPart]) -> dict[str, int]:
    """Anchor -> page number (from 1) in the joined document; the first part holding an anchor wins."""
    numbers = {}
    for first, part in zip(_first_pages(laid_out), laid_out, strict=True):
        for name, (index, _x, _y) in part.anchors.items():
            numbers.setdefault(name, first + index + 1)
    return numbers


def _join(laid_out: list[_LaidOutPart], page_label) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in laid_out:
        reader = PdfReader(io.BytesIO(part.pdf))
        if not writer.pages and reader.metadata:
            writer.add_metadata({k: v for k, v in reader.metadata.items() if isinstance(v, str)})
        for page in reader.pages:
            writer.add_page(page)
    anchors = {}
    for first, part in zip(_first_pages(laid_out), laid_out, strict=True):
        for name, (index, x, y) in part.anchors.items():
            anchors.setdefault(name, (first + index, x, y))
    _point_links(writer, anchors)
    _add_outline(writer, laid_out)
    if page_label is not None:
        boxes = [box for part in laid_out for box in part.boxes]
        _write_page_labels(writer, boxes, page_label)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _point_links(writer, anchors: dict[str, tuple[int, float, float]]) -> None:
    """Point every ``ANCHOR_LINK`` annotation at its anchor's page and position; drop those whose anchor is in no
    part (as WeasyPrint drops a link to a missing anchor)."""
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NullObject

    for page in writer.pages:
        annotations = page.get("/Annots")
        if not annotations:
            continue
        keep = ArrayObject()
        for reference in annotations.get_object():
            annotation = reference.get_object()
            uri = str(annotation.get("/A", {}).get("/URI", "")) if "/A" in annotation else ""
            if not uri.startswith(ANCHOR_LINK):
                keep.append(reference)
                continue
            target = anchors.get(unquote(uri[len(ANCHOR_LINK) :]))
            if target is None:
                continue
            index, x, y = target
            del annotation[NameObject("/A")]
            annotation[NameObject("/Dest")] = ArrayObject(
                [
                    writer.pages[index].indirect_reference,
                    NameObject("/XYZ"),
                    FloatObject(x),
                    FloatObject(y),
                    NullObject(),
                ]
            )
            keep.append(reference)
        page[NameObject("/Annots")] = keep


class _OutlinePage:
    """What WeasyPrint's bookmark-tree builder reads of a page."""

    def __init__(self, bookmarks):
        self.bookmarks = bookmarks


def _add_outline(writer, laid_out: list[_LaidOutPart]) -> None:
    """One outline for the whole document, built from every part's headings by WeasyPrint's own rules, so that it
    nests as it would in a single document."""
    from pypdf.generic import Fit
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    root, skipped_levels, previous_level = [], [], 0
    last_by_depth = [root]
    # The bookmarks were stored with y from the bottom, in CSS px: the matrix only scales them to points.
    matrix = Matrix(a=_PX, d=_PX)
    pages = (bookmarks for part in laid_out for bookmarks in part.bookmarks)
    for page_number, bookmarks in enumerate(pages):
        previous_level = make_page_bookmark_tree(
            _OutlinePage(bookmarks), skipped_levels, last_by_depth, previous_level, page_number, matrix
        )

    def add(subtrees, parent):
        for label, (page, x, y), children, state in subtrees:
            item = writer.add_outline_item(
                title=label, page_number=page, parent=parent, fit=Fit.xyz(left=x, top=y), is_open=state != "closed"
            )
            add(children, item)

    add(root, None)


def _write_page_labels(writer, boxes, page_label) -> None:
    """Write ``page_label(page, pages)`` right-aligned in the bottom margin of every page but the first."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save, restore = (writer._add_object(_stream(data)) for data in (b"q\n", b"Q\n"))
    total = len(writer.pages)
    red, green, blue = _LABEL_RGB
    for index, (page, (width, _height, right, bottom)) in enumerate(zip(writer.pages, boxes, strict=True)):
        if index == 0:
            continue
        text = page_label(index + 1, total)
        encoded = text.encode("cp1252", errors="replace")
        text_width = sum(_HELVETICA_WIDTHS.get(c, 556) for c in text) * _LABEL_SIZE / 1000
        x = width - right - text_width
        # Centred in the bottom margin as a line of the stylesheet's line height (1.35) in Liberation Sans.
        y = bottom / 2 - _LABEL_SIZE * 0.3465
        escaped = encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        label = writer._add_object(
            _stream(
                b"BT /AimsPageLabel %.2f Tf %.3f %.3f %.3f rg %.2f %.2f Td (%s) Tj ET\n"
                % (_LABEL_SIZE, red, green, blue, x, y, escaped)
            )
        )
        resources = page[NameObject("/Resources")].get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject()).get_object()
        fonts[NameObject("/AimsPageLabel")] = font
        contents = page[NameObject("/Contents")].get_object()
        streams = list(contents) if isinstance(contents, list) else [page[NameObject("/Contents")]]
        page[NameObject("/Contents")] = ArrayObject([save, *streams, restore, label])


def _stream(data: bytes):
    from pypdf.generic import StreamObject

    stream = StreamObject()
    stream.set_data(data)
    return stream
