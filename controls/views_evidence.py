"""Evidence pages: the register (with expired and expiring evidence), upload, revisions, review, and the one
authorised download route (files are never served from a public URL)."""

from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View

from accounts.access import record_access
from accounts.models import AccessKind
from aims.crud import (
    Column,
    OrganisationViewMixin,
    RegisterDeleteView,
    RegisterFormView,
    RegisterListView,
    Tab,
)
from controls import services
from controls.filtersets_work import EvidencePageFilterSet
from controls.forms_work import EvidenceForm, ReviewForm, RevisionForm
from controls.models import Control, Evidence, EvidenceRevision, Requirement
from controls.uploads import ACCEPTED_LABEL, max_bytes
from risk.views_base import FormsDetailView, ObjectActionView


class EvidenceMixin:
    model = Evidence
    url_base = "controls:evidence"

    def base_queryset(self):
        return Evidence.objects.select_related("owner", "current_revision", "reviewed_by")


class EvidenceListView(EvidenceMixin, RegisterListView):
    title = _("Evidence")
    filterset_class = EvidencePageFilterSet
    columns = [
        Column("reference", _("Ref"), sort="reference", template="controls/cells/evidence_ref.html"),
        Column("title", _("Evidence"), sort="title"),
        Column("kind", _("Kind"), sort="kind", template="controls/cells/evidence_kind.html"),
        Column("state", _("State"), template="controls/cells/evidence_state.html"),
        Column(
            "effective_date",
            pgettext_lazy("evidence date column", "Effective"),
            sort="effective_date",
            template="controls/cells/evidence_effective.html",
        ),
        Column("expiry_date", _("Expires"), sort="expiry_date", template="controls/cells/evidence_expiry.html"),
        Column("review_status", _("Review"), sort="review_status", template="controls/cells/evidence_review.html"),
        Column("controls", _("Supports"), template="controls/cells/evidence_supports.html"),
        Column("owner", _("Owner"), sort="owner__username"),
    ]
    export_fields = [
        ("Reference", "reference"),
        ("Title", "title"),
        ("Kind", "kind"),
        ("State", "state"),
        ("Link", "url"),
        ("File", "current_revision.original_name"),
        ("SHA-256", "current_revision.sha256"),
        ("Revision", "current_revision.number"),
        ("Effective date", "effective_date"),
        ("Expiry date", "expiry_date"),
        ("Review", "review_status"),
        ("Controls", lambda e: ", ".join(c.reference for c in e.controls.all())),
        ("Requirements", lambda e: ", ".join(f"{r.framework.key}:{r.identifier}" for r in e.requirements.all())),
        ("Owner", "owner.username"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .annotate(revision_count=Count("revisions", distinct=True))
            .prefetch_related(
                Prefetch("controls", queryset=Control.objects.only("id", "reference", "title").order_by("reference")),
                Prefetch("requirements", queryset=Requirement.objects.select_related("framework")),
            )
        )

    template_name = "controls/evidence_list.html"


class EvidenceDetailView(EvidenceMixin, FormsDetailView):
    template_name = "controls/evidence_detail.html"
    tabs = [
        Tab("overview", _("Overview"), "controls/tabs/evidence_overview.html"),
        Tab("revisions", _("Revisions"), "controls/tabs/evidence_revisions.html"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .prefetch_related(
                "controls",
                Prefetch("requirements", queryset=Requirement.objects.select_related("framework")),
                "ai_systems",
            )
        )

    def page_context(self, obj):
        return {
            "can_review": self.allowed("approve", obj),
            "can_upload": obj.kind == "file" and self.allowed("change", obj),
        }

    def tab_context(self, obj, tab_key):
        context = {"review_form": ReviewForm(initial={"review_status": obj.review_status})}
        if tab_key == "revisions":
            context["revisions"] = obj.revisions.select_related("uploaded_by").order_by("-number")
            context["revision_form"] = RevisionForm()
            context["accepted_label"] = ACCEPTED_LABEL
            context["max_mb"] = max_bytes() // (1024 * 1024)
        return context


class EvidenceFormView(EvidenceMixin, RegisterFormView):
    form_class = EvidenceForm

    def get_form(self, obj, data=None, files=None):
        initial = {}
        if obj is None:
            for name in ("controls", "requirements", "ai_systems"):
                ids = self.request.GET.getlist(name[:-1] if name != "ai_systems" else "system")
                if ids:
                    initial[name] = ids
        return self.form_class(data, files, instance=obj, organisation=self.request.organisation, initial=initial)

    def create(self, form):
        return services.evidence_create(
            actor=self.request.user,
            organisation=self.request.organisation,
            data=form.service_data(),
            upload=form.cleaned_data.get("file"),
        )

    def update(self, obj, form):
        return services.evidence_update(actor=self.request.user, evidence=obj, data=form.service_data())


class EvidenceDeleteView(EvidenceMixin, RegisterDeleteView):
    def delete(self, obj):
        services.evidence_delete(actor=self.request.user, evidence=obj)


class EvidenceRevisionUploadView(EvidenceMixin, ObjectActionView):
    """POST a new file: the evidence's next revision (a refused file shows why and stores nothing)."""

    form_class = RevisionForm
    form_key = "revision_form"
    detail_view = EvidenceDetailView
    tab = "revisions"

    def get_form(self, obj, data):
        return RevisionForm(data, self.request.FILES)

    def perform(self, obj, form):
        return services.evidence_add_revision(
            actor=self.request.user, evidence=obj, upload=form.cleaned_data["file"], note=form.cleaned_data["note"]
        )

    def success_message(self, obj, result):
        return gettext("Revision %(number)s of %(reference)s uploaded (SHA-256 %(hash)s…).") % {
            "number": result.number,
            "reference": obj.reference,
            "hash": result.sha256[:12],
        }

    def invalid(self, obj, form):
        view = self.detail_view()
        view.setup(self.request, **self.kwargs)
        return view.render_detail(view.get_object(), self.tab, {self.form_key: form}, status=400)


class EvidenceReviewView(EvidenceMixin, ObjectActionView):
    """POST: record the review result (officers)."""

    permission_action = "approve"
    form_class = ReviewForm

    def perform(self, obj, form):
        return services.evidence_review(
            actor=self.request.user,
            evidence=obj,
            status=form.cleaned_data["review_status"],
            comment=form.cleaned_data["comment"],
        )

    def success_message(self, obj, result):
        return gettext("Review of %(reference)s recorded: %(result)s.") % {
            "reference": obj.reference,
            "result": result.get_review_status_display().lower(),
        }


class EvidenceDownloadView(OrganisationViewMixin, View):
    """The only way to a stored file: a member of the evidence's organisation, as an attachment that the
    browser must not sniff. Another organisation's revision is a 404, whatever the role."""

    model = EvidenceRevision
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        revision = get_object_or_404(self.scoped_queryset().select_related("evidence"), pk=kwargs["pk"])
        return revision_file_response(revision)


def revision_file_response(revision: EvidenceRevision) -> FileResponse:
    """The stored file as an attachment with its original name and sniffed type (shared with the API)."""
    try:
        handle = revision.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404(gettext("The file is missing from storage.")) from exc
    response = FileResponse(
        handle, as_attachment=True, filename=revision.original_name, content_type=revision.content_type
    )
    # Every download, from a page or the API, is in the access log (of the request being served).
    record_access(
        AccessKind.DOWNLOAD,
        detail=f"{revision.evidence.reference} revision {revision.number}: {revision.original_name}"[:500],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
