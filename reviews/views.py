"""Pages: My reviews, the officers' list of review tasks, a task (complete, reassign), notifications and the
review settings. Thin: forms parse, services decide."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views import View

from aims.crud import Column, OrganisationViewMixin, RegisterDetailView, RegisterListView, Tab
from aims.forms import apply_service_error
from aims.permissions import administers, can, has_officer_rights, role_of
from reviews import services
from reviews.constants import TaskState
from reviews.filtersets import NotificationFilterSet, ReviewTaskFilterSet
from reviews.forms import CompleteForm, ReassignForm, ReviewSettingsForm
from reviews.kinds import get_kind, object_url
from reviews.models import Notification, ReviewSettings, ReviewTask

COLUMNS = [
    Column("reference", _("Task"), "reference", "reviews/cells/reference.html"),
    Column("object_label", _("Object"), "object_label", "reviews/cells/object.html"),
    Column("kind", _("Kind"), "kind", "reviews/cells/kind.html"),
    Column("due_date", _("Due"), "due_date", "reviews/cells/due.html"),
    Column("assignee", _("Owner"), "assignee__username", "reviews/cells/assignee.html"),
    Column("state", _("State"), "state", "reviews/cells/state.html"),
]
EXPORT_FIELDS = [
    ("Task", "reference"),
    ("Object", "object_label"),
    ("Kind", "kind"),
    ("Due", "due_date"),
    ("Owner", "assignee"),
    ("State", "state"),
    ("Outcome", "outcome"),
    ("Completed", "completed_at"),
    ("Next review", "next_due"),
    ("Escalated", "escalated_at"),
]


class TaskListMixin:
    model = ReviewTask
    url_base = "reviews:task"
    filterset_class = ReviewTaskFilterSet
    columns = COLUMNS
    export_fields = EXPORT_FIELDS
    default_ordering = "due_date"
    template_name = "reviews/task_list.html"

    def base_queryset(self):
        return ReviewTask.objects.select_related("assignee")

    def scoped_queryset(self):
        is_open = Case(When(state=TaskState.OPEN, then=Value(1)), default=Value(0), output_field=IntegerField())
        return super().scoped_queryset().annotate(state_open=is_open)

    def ordering(self) -> list[str]:
        # Open first, overdue (earliest due) first among them, unless the user sorts by a column.
        if self.request.GET.get("sort"):
            return super().ordering()
        return ["-state_open", "due_date", "reference"]

    def common_context(self) -> dict:
        return {**super().common_context(), "can_add": False}  # tasks come from the review job

    def extra_context_data(self) -> dict:
        today = timezone.localdate()
        scoped = self.scoped_queryset()
        return {
            "today": today,
            "open_count": scoped.filter(state=TaskState.OPEN).count(),
            "overdue_count": scoped.overdue(today).count(),
            "can_run": self.allowed("approve"),
        }


class ReviewTaskListView(TaskListMixin, RegisterListView):
    """Every review task of the organisation (the officers' view), filterable."""

    title = _("Review tasks")


class MyReviewsView(TaskListMixin, RegisterListView):
    """The member's own review tasks (officers also see the ones nobody owns); open and overdue first."""

    title = _("My reviews")

    def scoped_queryset(self):
        role = role_of(self.request.user, self.request.organisation)
        return (
            super()
            .scoped_queryset()
            .for_member(self.request.user, include_officer_queue=has_officer_rights(role) or administers(role))
        )

    def get(self, request, *args, **kwargs):
        if not request.GET:
            request.GET = request.GET.copy()
            request.GET["state"] = TaskState.OPEN
        return super().get(request, *args, **kwargs)

    def extra_context_data(self) -> dict:
        return {**super().extra_context_data(), "is_my_reviews": True}


class ReviewTaskDetailView(RegisterDetailView):
    model = ReviewTask
    url_base = "reviews:task"
    template_name = "reviews/task_detail.html"
    tabs = [Tab("overview", _("Review"), "reviews/tabs/task_overview.html")]

    def base_queryset(self):
        return ReviewTask.objects.select_related("assignee", "completed_by", "content_type")

    def tab_context(self, obj, tab_key):
        return task_context(self.request, obj)


def task_context(request, task, complete_form=None, reassign_form=None) -> dict:
    kind = get_kind(task.kind)
    target = task.target
    return {
        "kind": kind,
        "target": target,
        "target_url": object_url(kind, target) if (kind and target is not None) else "",
        "can_complete": services.can_complete(request.user, task),
        "can_reassign": task.is_open and can(request.user, "approve", task, request.organisation),
        "complete_form": complete_form or CompleteForm(kind=kind),
        "reassign_form": reassign_form
        or ReassignForm(organisation=request.organisation, initial={"assignee": task.assignee}),
        "today": timezone.localdate(),
        "can_change": False,
        "can_delete": False,
    }


class TaskActionView(OrganisationViewMixin, View):
    model = ReviewTask
    url_base = "reviews:task"

    def get_task(self, pk):
        return get_object_or_404(self.scoped_queryset().select_related("assignee", "content_type"), pk=pk)

    def rerender(self, task, **forms):
        view = ReviewTaskDetailView()
        view.request, view.kwargs = self.request, {"pk": task.pk}
        tabs = view.all_tabs()
        context = {
            **view.common_context(),
            "object": task,
            "tabs": tabs,
            "tab": tabs[0],
            **task_context(self.request, task, **forms),
        }
        return render(self.request, "reviews/task_detail.html", context, status=400)


class ReviewTaskCompleteView(TaskActionView):
    def post(self, request, pk):
        task = self.get_task(pk)
        if not services.can_complete(request.user, task):
            raise PermissionDenied
        form = CompleteForm(request.POST, kind=get_kind(task.kind))
        if form.is_valid():
            try:
                with transaction.atomic():
                    task = services.review_task_complete(
                        actor=request.user,
                        task=task,
                        outcome=form.cleaned_data["outcome"],
                        comment=form.cleaned_data["comment"],
                    )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                if task.next_due:
                    message = gettext("%(reference)s completed. Next review: %(date)s.") % {
                        "reference": task.reference,
                        "date": date_format(task.next_due, "j M Y"),
                    }
                else:
                    message = gettext("%(reference)s completed.") % {"reference": task.reference}
                messages.success(request, message)
                return redirect("reviews:task-detail", task.pk)
        return self.rerender(task, complete_form=form)


class ReviewTaskReassignView(TaskActionView):
    def post(self, request, pk):
        task = self.get_task(pk)
        self.require("approve", task)
        form = ReassignForm(request.POST, organisation=request.organisation)
        if form.is_valid():
            try:
                with transaction.atomic():
                    task = services.review_task_reassign(
                        actor=request.user, task=task, assignee=form.cleaned_data["assignee"]
                    )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, gettext("%(reference)s reassigned.") % {"reference": task.reference})
                return redirect("reviews:task-detail", task.pk)
        return self.rerender(task, reassign_form=form)


class RunNowView(OrganisationViewMixin, View):
    """POST (officers): run today's review job for this organisation now, instead of waiting for the schedule.
    Safe to repeat: nothing is created or sent twice."""

    model = ReviewTask

    def post(self, request):
        self.require("approve")
        result = services.reviews_run_daily(organisation=request.organisation)
        messages.success(
            request,
            gettext(
                "Review check done: %(created)s new task(s), %(reminded)s reminder(s) sent, %(escalated)s escalated."
            )
            % result,
        )
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("reviews:task-list")


# --- Notifications ------------------------------------------------------------------------------------------------


class NotificationListView(RegisterListView):
    model = Notification
    url_base = "reviews:notification"
    filterset_class = NotificationFilterSet
    columns = [
        Column("title", _("Notification"), None, "reviews/cells/notification.html"),
        Column("kind", _("Kind"), "kind", "reviews/cells/notification_kind.html"),
        Column("created_at", _("Received"), "created_at", "reviews/cells/received.html"),
    ]
    default_ordering = "-created_at"
    template_name = "reviews/notification_list.html"
    title = _("Notifications")

    def base_queryset(self):
        return Notification.objects.all()

    def common_context(self) -> dict:
        return {**super().common_context(), "can_add": False, "can_export": False}


class NotificationOpenView(OrganisationViewMixin, View):
    """Open a notification: marks it read and goes to what it is about."""

    model = Notification

    def get(self, request, pk):
        notification = get_object_or_404(self.scoped_queryset(), pk=pk)
        services.notification_mark_read(actor=request.user, notification=notification)
        target = notification.url
        if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect("reviews:notifications")
        return redirect(target)


class NotificationReadAllView(OrganisationViewMixin, View):
    model = Notification

    def post(self, request):
        count = services.notifications_mark_all_read(actor=request.user, organisation=request.organisation)
        messages.success(
            request,
            ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
            % {"count": count},
        )
        return redirect("reviews:notifications")


# --- Settings -----------------------------------------------------------------------------------------------------


class ReviewSettingsView(OrganisationViewMixin, View):
    model = ReviewSettings
    template_name = "reviews/settings.html"

    def context(self, form):
        current = services.review_settings_for(self.request.organisation)
        return {"form": form, "can_change": self.allowed("change", current), "title": gettext("Review settings")}

    def get(self, request):
        current = services.review_settings_for(request.organisation)
        form = ReviewSettingsForm(initial=ReviewSettingsForm.initial_from(current))
        return render(request, self.template_name, self.context(form))

    def post(self, request):
        self.require("change", services.review_settings_for(request.organisation))
        form = ReviewSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.review_settings_update(
                    actor=request.user, organisation=request.organisation, data=form.service_data()
                )
            except ValidationError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, gettext("Review settings saved."))
                return redirect("reviews:settings")
        return render(request, self.template_name, self.context(form), status=400)
