"""Pages of management reviews (clause 9.3): the register, a review with its meeting, frozen inputs, decisions
and minutes PDF, and the tracked actions the decisions created. Thin: forms parse, services decide."""

from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from aims.crud import Column, OrganisationViewMixin, RegisterDeleteView, RegisterFormView, RegisterListView, Tab
from audits import services
from audits.builtin_kpis import catalogue_text
from audits.charts import sparkline_svg
from audits.filtersets import ManagementReviewFilterSet, ReviewActionFilterSet
from audits.forms import NoteForm
from audits.forms_more import DecisionForm, HoldForm, ReviewActionForm, ReviewForm
from audits.models import ManagementReview, ReviewAction
from audits.reports import pdf_response, review_minutes_pdf
from audits.views_base import FormsDetailView, ObjectActionView, OrganisationTimeMixin

REVIEW_EXPORT = [
    ("Reference", "reference"),
    ("Title", "title"),
    ("Meeting date", "planned_date"),
    ("Held on", "held_on"),
    ("Chair", "chair.username"),
    ("Attendees", lambda r: ", ".join(u.username for u in r.attendees.all())),
    ("Top management present", "top_management_present"),
    ("Status", "status"),
    ("Conclusions", "conclusions"),
]
ACTION_EXPORT = [
    ("Reference", "reference"),
    ("Review", "review.reference"),
    ("Title", "title"),
    ("Owner", "owner.username"),
    ("Due date", "due_date"),
    ("Status", "status"),
    ("Completed at", "completed_at"),
    ("What was done", "completion_note"),
]


class ReviewMixin(OrganisationTimeMixin):
    model = ManagementReview
    url_base = "audits:review"

    def base_queryset(self):
        return ManagementReview.objects.select_related("chair", "inputs_compiled_by")


class ReviewListView(ReviewMixin, RegisterListView):
    title = gettext_lazy("Management reviews")
    filterset_class = ManagementReviewFilterSet
    export_fields = REVIEW_EXPORT
    default_ordering = "-planned_date"
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("title", gettext_lazy("Review"), sort="title", template="audits/cells/title.html"),
        Column("planned_date", gettext_lazy("Meeting"), sort="planned_date"),
        Column("chair", gettext_lazy("Chair"), sort="chair__username"),
        Column("status", gettext_lazy("Status"), sort="status", template="audits/cells/status.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("attendees")


class ReviewDetailView(ReviewMixin, FormsDetailView):
    template_name = "audits/review_detail.html"
    tabs = [
        Tab("overview", gettext_lazy("Meeting"), "audits/tabs/review_overview.html"),
        Tab("inputs", gettext_lazy("Inputs"), "audits/tabs/review_inputs.html"),
        Tab("decisions", gettext_lazy("Decisions and actions"), "audits/tabs/review_decisions.html"),
    ]

    def base_queryset(self):
        return super().base_queryset().prefetch_related("attendees")

    def page_context(self, obj) -> dict:
        return {
            "can_export": self.allowed("export"),
            "can_delete": self.allowed("delete", obj) and not obj.is_held,
        }

    def tab_context(self, obj, tab_key):
        organisation = self.request.organisation
        if tab_key == "overview":
            return {
                "hold_form": HoldForm(
                    organisation=organisation,
                    initial={
                        "held_on": obj.planned_date,
                        "attendees": [u.pk for u in obj.attendees.all()],
                        "top_management_present": obj.top_management_present,
                        "minutes": obj.minutes,
                        "conclusions": obj.conclusions,
                    },
                )
            }
        if tab_key == "inputs":
            inputs = obj.inputs or {}
            lines = {
                row["reference"]: sparkline_svg(
                    [Decimal(v) for _, v in row.get("history", [])], label=catalogue_text(row["name"])
                )
                for row in inputs.get("kpis", {}).get("rows", [])
            }
            return {"inputs": inputs, "sparklines": lines}
        if tab_key == "decisions":
            return {
                "decisions": obj.decisions.select_related("recorded_by")
                .prefetch_related("actions__owner")
                .order_by("created_at"),
                "decision_form": DecisionForm(organisation=organisation),
            }
        return {}


class ReviewFormView(ReviewMixin, RegisterFormView):
    form_class = ReviewForm
    create_service = staticmethod(services.review_create)
    update_service = staticmethod(services.review_update)
    object_kwarg = "review"

    def get_form(self, obj, data=None, files=None):
        initial = {} if obj else {"chair": self.request.user.pk}
        return self.form_class(data, files, instance=obj, initial=initial, organisation=self.request.organisation)


class ReviewDeleteView(ReviewMixin, RegisterDeleteView):
    delete_service = staticmethod(services.review_delete)
    object_kwarg = "review"


class ReviewActionView(ReviewMixin, ObjectActionView):
    detail_view = ReviewDetailView


class ReviewPrepareView(ReviewActionView):
    """POST: compile the pack from live data and freeze it into the review."""

    tab = "inputs"

    def perform(self, obj, form):
        return services.review_prepare(actor=self.request.user, review=obj)

    def success_message(self, obj, result):
        return _("Inputs compiled from today's data and frozen into the review.")


class ReviewHoldView(ReviewActionView):
    tab = "overview"
    form_key = "hold_form"

    def get_form(self, obj, data):
        return HoldForm(data, organisation=self.request.organisation)

    def perform(self, obj, form):
        data = form.cleaned_data
        return services.review_hold(
            actor=self.request.user,
            review=obj,
            held_on=data["held_on"],
            minutes=data["minutes"],
            conclusions=data["conclusions"],
            top_management_present=data["top_management_present"],
            attendees=list(data["attendees"]),
        )

    def success_message(self, obj, result):
        return _("Meeting recorded.")


class ReviewDecisionAddView(ReviewActionView):
    tab = "decisions"
    form_key = "decision_form"

    def get_form(self, obj, data):
        return DecisionForm(data, organisation=self.request.organisation)

    def perform(self, obj, form):
        data = form.cleaned_data
        return services.review_add_decision(
            actor=self.request.user,
            review=obj,
            kind=data["kind"],
            decision=data["decision"],
            action_title=data["action_title"],
            owner=data["owner"],
            due_date=data["due_date"],
        )

    def success_message(self, obj, result):
        return _("Decision recorded with its action.")


class ReviewMinutesPdfView(ReviewMixin, OrganisationViewMixin, View):
    """GET: the minutes as a PDF (those who may export)."""

    def get(self, request, *args, **kwargs):
        review = get_object_or_404(self.scoped_queryset(), pk=kwargs["pk"])
        self.require("export")
        if not review.has_pack:
            raise Http404
        return pdf_response(review_minutes_pdf(review), f"management-review-{review.reference.lower()}.pdf")


# --- Review actions ----------------------------------------------------------------------------------------


class ReviewActionMixin(OrganisationTimeMixin):
    model = ReviewAction
    url_base = "audits:reviewaction"

    def base_queryset(self):
        return ReviewAction.objects.select_related("owner", "review", "decision")


class ReviewActionListView(ReviewActionMixin, RegisterListView):
    title = gettext_lazy("Management review actions")
    filterset_class = ReviewActionFilterSet
    export_fields = ACTION_EXPORT
    default_ordering = "due_date"
    columns = [
        Column("reference", gettext_lazy("Ref"), sort="reference", template="audits/cells/reference.html"),
        Column("title", gettext_lazy("Action"), sort="title", template="audits/cells/title.html"),
        Column("review", gettext_lazy("Review"), sort="review__reference", template="audits/cells/action_review.html"),
        Column("owner", gettext_lazy("Owner"), sort="owner__username"),
        Column("due_date", gettext_lazy("Due"), sort="due_date", template="audits/cells/due_date.html"),
        Column("status", gettext_lazy("Status"), sort="status", template="audits/cells/status.html"),
    ]

    def common_context(self) -> dict:
        return {**super().common_context(), "can_add": False}  # created by review decisions


class ReviewActionDetailView(ReviewActionMixin, FormsDetailView):
    template_name = "audits/reviewaction_detail.html"
    tabs = [Tab("overview", gettext_lazy("Action"), "audits/tabs/reviewaction_overview.html")]

    def page_context(self, obj) -> dict:
        return {"complete_form": NoteForm(prefix="complete")}


class ReviewActionFormView(ReviewActionMixin, RegisterFormView):
    form_class = ReviewActionForm
    update_service = staticmethod(services.review_action_update)
    object_kwarg = "action"

    def get(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            return redirect("audits:review-list")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if "pk" not in kwargs:
            raise Http404
        return super().post(request, *args, **kwargs)


class ReviewActionDeleteView(ReviewActionMixin, RegisterDeleteView):
    delete_service = staticmethod(services.review_action_delete)
    object_kwarg = "action"


class ReviewActionCompleteView(ReviewActionMixin, ObjectActionView):
    form_key = "complete_form"
    detail_view = ReviewActionDetailView

    def get_form(self, obj, data):
        return NoteForm(data, prefix="complete")

    def perform(self, obj, form):
        return services.review_action_complete(actor=self.request.user, action=obj, note=form.cleaned_data["note"])

    def success_message(self, obj, result):
        return _("%(reference)s done.") % {"reference": obj.reference}
