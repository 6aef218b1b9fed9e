"""Pages of competence and training (clause 7.2): competences, courses, training records and the competence
matrix with its gaps. Thin: forms parse, services decide, selectors read."""

import uuid

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from aims.crud import (
    Column,
    OrganisationViewMixin,
    RegisterDeleteView,
    RegisterDetailView,
    RegisterFormView,
    RegisterListView,
    Tab,
)
from aims.permissions import can
from aims.roles import Role
from governance import services
from governance.filtersets import CompetenceFilterSet, TrainingCourseFilterSet, TrainingRecordFilterSet
from governance.forms import CompetenceForm, TrainingCourseForm, TrainingRecordForm
from governance.models import AimsRole, Competence, TrainingCourse, TrainingRecord
from governance.selectors import competence_matrix

COMPETENCE_EXPORT = [
    ("Reference", "reference"),
    ("Name", "name"),
    ("Description", "description"),
    ("Required for roles", lambda c: ", ".join(r.name for r in c.roles.all())),
    ("Courses giving it", lambda c: ", ".join(k.reference for k in c.courses.all())),
]

COURSE_EXPORT = [
    ("Reference", "reference"),
    ("Title", "title"),
    ("Provider", "provider"),
    ("Delivery", "delivery"),
    ("Competences", lambda c: ", ".join(k.reference for k in c.competences.all())),
    ("Valid for (months)", "validity_months"),
    ("Coordinator", "owner.username"),
    ("Offered", "is_active"),
    ("Description", "description"),
]

TRAINING_EXPORT = [
    ("Reference", "reference"),
    ("Member", "member.username"),
    ("Name", lambda r: r.member.get_full_name()),
    ("Course", "course.reference"),
    ("Course title", "course.title"),
    ("Completed on", "completed_on"),
    ("Result", "result"),
    ("Score", "score"),
    ("Expires on", "expires_on"),
    ("Notes", "notes"),
]


# --- Competences -----------------------------------------------------------------------------------------


class CompetenceMixin:
    model = Competence
    url_base = "governance:competence"

    def base_queryset(self):
        return Competence.objects.prefetch_related("roles", "courses")


class CompetenceListView(CompetenceMixin, RegisterListView):
    title = _("Competences")
    filterset_class = CompetenceFilterSet
    export_fields = COMPETENCE_EXPORT
    template_name = "governance/competence_list.html"
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("name", _("Competence"), sort="name", template="registry/cells/name.html"),
        Column("roles", _("Required for"), template="governance/cells/competence_roles.html"),
        Column("courses", _("Courses giving it"), template="governance/cells/competence_courses.html"),
    ]


class CompetenceDetailView(CompetenceMixin, RegisterDetailView):
    tabs = [Tab("overview", _("Overview"), "governance/tabs/competence_overview.html")]


class CompetenceFormView(CompetenceMixin, RegisterFormView):
    form_class = CompetenceForm
    create_service = staticmethod(services.competence_create)
    update_service = staticmethod(services.competence_update)
    object_kwarg = "competence"


class CompetenceDeleteView(CompetenceMixin, RegisterDeleteView):
    delete_service = staticmethod(services.competence_delete)
    object_kwarg = "competence"


# --- Courses ---------------------------------------------------------------------------------------------


class CourseMixin:
    model = TrainingCourse
    url_base = "governance:trainingcourse"

    def base_queryset(self):
        return TrainingCourse.objects.select_related("owner").prefetch_related("competences")


class CourseListView(CourseMixin, RegisterListView):
    title = _("Training courses")
    filterset_class = TrainingCourseFilterSet
    export_fields = COURSE_EXPORT
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("title", _("Course"), sort="title", template="registry/cells/name.html"),
        Column("provider", _("Provider"), sort="provider"),
        Column("delivery", _("Delivery"), sort="delivery", template="governance/cells/choice.html"),
        Column("competences", _("Gives"), template="governance/cells/course_competences.html"),
        Column("validity_months", _("Valid for"), sort="validity_months", template="governance/cells/validity.html"),
        Column("is_active", _("Offered"), sort="is_active", template="governance/cells/yes_no.html"),
    ]


class CourseDetailView(CourseMixin, RegisterDetailView):
    tabs = [
        Tab("overview", _("Overview"), "governance/tabs/course_overview.html"),
        Tab("records", _("Training records"), "governance/tabs/course_records.html"),
    ]

    def tab_context(self, obj, tab_key):
        if tab_key == "records":
            return {
                "records": TrainingRecord.objects.filter(course=obj).select_related("member").order_by("-completed_on")
            }
        return {}


class CourseFormView(CourseMixin, RegisterFormView):
    form_class = TrainingCourseForm
    create_service = staticmethod(services.course_create)
    update_service = staticmethod(services.course_update)
    object_kwarg = "course"


class CourseDeleteView(CourseMixin, RegisterDeleteView):
    delete_service = staticmethod(services.course_delete)
    object_kwarg = "course"


# --- Training records ------------------------------------------------------------------------------------


class TrainingRecordMixin:
    model = TrainingRecord
    url_base = "governance:trainingrecord"

    def base_queryset(self):
        return TrainingRecord.objects.select_related("member", "course", "certificate")


class TrainingRecordListView(TrainingRecordMixin, RegisterListView):
    title = _("Training records")
    filterset_class = TrainingRecordFilterSet
    export_fields = TRAINING_EXPORT
    default_ordering = "-completed_on"
    columns = [
        Column("reference", _("Ref"), sort="reference", template="registry/cells/reference.html"),
        Column("member", _("Member"), sort="member__username", template="governance/cells/member.html"),
        Column("course", _("Course"), sort="course__reference", template="governance/cells/record_course.html"),
        Column("completed_on", _("Completed"), sort="completed_on", template="governance/cells/date.html"),
        Column("result", _("Result"), sort="result", template="governance/cells/training_result.html"),
        Column("expires_on", _("Expires"), sort="expires_on", template="governance/cells/expires.html"),
    ]


class TrainingRecordDetailView(TrainingRecordMixin, RegisterDetailView):
    tabs = [Tab("overview", _("Overview"), "governance/tabs/trainingrecord_overview.html")]


class TrainingRecordFormView(TrainingRecordMixin, RegisterFormView):
    """Record training. A contributor records their own only; the competence matrix links here with the member
    and course filled in (``?member=<id>&course=<id>``)."""

    form_class = TrainingRecordForm
    create_service = staticmethod(services.training_record_create)
    update_service = staticmethod(services.training_record_update)
    object_kwarg = "record"

    def get_form(self, obj, data=None, files=None):
        from aims.permissions import role_of

        only = self.request.user if role_of(self.request.user, self.request.organisation) == Role.CONTRIBUTOR else None
        initial = {}
        if obj is None and data is None:
            initial = {k: self.request.GET[k] for k in ("member", "course") if self.request.GET.get(k)}
        return self.form_class(
            data, files, instance=obj, initial=initial, organisation=self.request.organisation, only_member=only
        )

    def create(self, form):
        return services.training_record_create(
            actor=self.request.user,
            organisation=self.request.organisation,
            data=form.service_data(),
            certificate_file=form.cleaned_data.get("certificate_file"),
        )

    def update(self, obj, form):
        return services.training_record_update(
            actor=self.request.user,
            record=obj,
            data=form.service_data(),
            certificate_file=form.cleaned_data.get("certificate_file"),
        )


class TrainingRecordDeleteView(TrainingRecordMixin, RegisterDeleteView):
    delete_service = staticmethod(services.training_record_delete)
    object_kwarg = "record"


# --- The competence matrix -------------------------------------------------------------------------------


class CompetenceMatrixView(OrganisationViewMixin, TemplateView):
    """Members holding AIMS roles × the competences their roles require, and the list of gaps (clause 7.2)."""

    model = TrainingRecord
    url_base = "governance:trainingrecord"
    template_name = "governance/competence_matrix.html"

    def get(self, request, *args, **kwargs):
        self.require("view")
        organisation = request.organisation
        roles = AimsRole.objects.visible_to(request.user, organisation).filter(is_active=True).order_by("reference")
        role = _role_from(request.GET.get("role"), roles)
        matrix = competence_matrix(user=request.user, organisation=organisation, role=role)
        context = {
            **self.common_context(),
            "matrix": matrix,
            "roles": list(roles),
            "role": role,
            "can_record": can(request.user, "add", TrainingRecord, organisation),
        }
        return render(request, self.template_name, context)


def _role_from(value, roles):
    """The role chosen in the filter, or None for none, an unknown or a malformed id."""
    if not value:
        return None
    try:
        return roles.filter(pk=uuid.UUID(str(value))).first()
    except ValueError:
        return None
