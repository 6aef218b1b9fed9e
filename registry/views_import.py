"""The import page: choose a register, upload a CSV or JSON file, preview every row, then import.

The preview writes nothing; the file is kept for the person who uploaded it (``aims.imports.uploads``)
until they import it. "Import" writes all rows or none; "Import the valid rows" skips the rows with errors.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from aims.imports import (
    ALL,
    MODES,
    VALID,
    ImportFileError,
    all_importers,
    detect_format,
    importer_for,
    max_bytes,
    too_large_message,
)
from aims.imports.uploads import discard_upload, keep_upload, load_upload
from aims.permissions import can


def may_import(user, organisation, importer) -> bool:
    """Importing creates and changes records: both are needed."""
    return can(user, "add", importer.model, organisation) and can(user, "change", importer.model, organisation)


def import_url(request, register: str) -> str | None:
    """The import page for ``register``, or None when the user may not import there (for list pages)."""
    importer = importer_for(register)
    if importer is None or not may_import(request.user, request.organisation, importer):
        return None
    return f"{reverse('registry:import')}?register={register}"


def display_rows(report, importer) -> list[dict]:
    """The report's rows, errors first, with column headers instead of field names."""
    labels = {**importer.headers, "non_field_errors": gettext("Row")}
    return [
        {
            "line": row.line,
            "reference": row.reference,
            "outcome": row.outcome,
            "errors": [(labels.get(name, name), message) for name, msgs in row.errors.items() for message in msgs],
            "changes": [labels.get(name, name) for name in row.changes],
        }
        for row in report.rows_errors_first()
    ]


class ImportUploadForm(forms.Form):
    register = forms.ChoiceField(label=_("Register"))
    file = forms.FileField(
        label=_("File (CSV, JSON or Excel)"),
        help_text=_(
            "UTF-8 CSV with a header line, a JSON list of objects, or an Excel workbook laid out like the "
            "XLSX export. Rows are matched on their reference."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.xlsx,text/csv,application/json"}),
    )

    def __init__(self, *args, importers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["register"].choices = [(i.key, capfirst(i.label)) for i in importers]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(too_large_message())
        return upload


class _ImportMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if request.organisation is None:
            raise Http404
        self.importers = [i for i in all_importers() if may_import(request.user, request.organisation, i)]
        if not self.importers:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def allowed_importer(self, key):
        importer = importer_for(key or "")
        if importer is None:
            raise Http404
        if importer not in self.importers:
            raise PermissionDenied
        return importer


class ImportView(_ImportMixin, View):
    template_name = "registry/import.html"

    def get(self, request):
        keys = [i.key for i in self.importers]
        register = request.GET.get("register") if request.GET.get("register") in keys else keys[0]
        form = ImportUploadForm(initial={"register": register}, importers=self.importers)
        return self.render_page(form, importer_for(register))

    def post(self, request):
        if request.POST.get("action") == "import":
            return self.import_file(request)
        return self.preview(request)

    def preview(self, request):
        form = ImportUploadForm(request.POST, request.FILES, importers=self.importers)
        if not form.is_valid():
            return self.render_page(form, importer_for(request.POST.get("register", "")))
        importer = self.allowed_importer(form.cleaned_data["register"])
        upload = form.cleaned_data["file"]
        content = upload.read()
        fmt = detect_format(upload.name, upload.content_type, content[:64])
        try:
            report = importer.run(content, fmt=fmt, actor=request.user, organisation=request.organisation)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return self.render_page(form, importer)
        token = keep_upload(request, content, register=importer.key, fmt=fmt, filename=upload.name)
        return self.render_page(form, importer, report=report, token=token, filename=upload.name)

    def import_file(self, request):
        token = request.POST.get("token", "")
        mode = request.POST.get("mode", ALL)
        stored = load_upload(request, token)
        if stored is None or mode not in MODES:
            messages.error(request, gettext("The uploaded file is no longer available: upload it again."))
            return redirect("registry:import")
        content, meta = stored
        importer = self.allowed_importer(meta["register"])
        try:
            report = importer.run(
                content,
                fmt=meta["format"],
                actor=request.user,
                organisation=request.organisation,
                dry_run=False,
                mode=mode,
            )
        except ImportFileError as exc:
            discard_upload(request, token)
            messages.error(request, str(exc))
            return redirect("registry:import")
        if not report.written:
            form = ImportUploadForm(initial={"register": importer.key}, importers=self.importers)
            messages.error(
                request, gettext("Nothing was imported: correct the rows with errors, or import the valid rows only.")
            )
            return self.render_page(form, importer, report=report, token=token, filename=meta["filename"])
        discard_upload(request, token)
        counts = report.counts
        params = {
            "file": meta["filename"],
            "created": report.created,
            "updated": report.updated,
            "unchanged": counts["unchanged"],
            "skipped": counts["error"],
        }
        if mode == VALID and counts["error"]:
            text = gettext(
                "Imported %(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(skipped)s skipped with errors."
            )
        else:
            text = gettext("Imported %(file)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
        messages.success(request, text % params)
        try:
            return redirect(reverse(importer.list_url_name))
        except NoReverseMatch:
            return redirect(f"{reverse('registry:import')}?register={importer.key}")

    def render_page(self, form, importer, *, report=None, token="", filename=""):
        context = {
            "form": form,
            "importer": importer,
            "importers": self.importers,
            "report": report,
            "rows": display_rows(report, importer) if report else [],
            "token": token,
            "filename": filename,
            "max_mb": max_bytes() // (1024 * 1024),
        }
        return render(self.request, self.template_name, context)


class ImportTemplateView(_ImportMixin, View):
    """The columns of a register and one example row, as a CSV to start from."""

    def get(self, request, register):
        importer = self.allowed_importer(register)
        owners = {"business_owner": request.user.username, "technical_owner": "", "owner": request.user.username}
        example = {name: value for name, value in owners.items() if name in importer.headers}
        response = HttpResponse(importer.template_csv(example), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{importer.key}-import-template.csv"'
        return response
