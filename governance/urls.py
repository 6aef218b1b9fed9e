from django.urls import path

from aims.crud import register_urls
from governance import (
    views_awareness,
    views_communication,
    views_competence,
    views_objectives,
    views_overview,
    views_roles,
)

app_name = "governance"

urlpatterns = [
    # AIMS roles, assignments and the RACI view (clause 5.3, A.3.2, A.3.3)
    *register_urls(
        "roles",
        "aimsrole",
        list_view=views_roles.AimsRoleListView,
        detail_view=views_roles.AimsRoleDetailView,
        form_view=views_roles.AimsRoleFormView,
        delete_view=views_roles.AimsRoleDeleteView,
    ),
    path("roles/<uuid:pk>/assign/", views_roles.RoleAssignView.as_view(), name="aimsrole-assign"),
    path("assignments/", views_roles.RoleAssignmentListView.as_view(), name="roleassignment-list"),
    path("assignments/<uuid:pk>/", views_roles.RoleAssignmentDetailView.as_view(), name="roleassignment-detail"),
    path("assignments/<uuid:pk>/edit/", views_roles.RoleAssignmentFormView.as_view(), name="roleassignment-update"),
    path("assignments/<uuid:pk>/end/", views_roles.RoleAssignmentEndView.as_view(), name="roleassignment-end"),
    path("assignments/<uuid:pk>/delete/", views_roles.RoleAssignmentDeleteView.as_view(), name="roleassignment-delete"),
    path("raci/", views_roles.RaciView.as_view(), name="raci"),
    # AI objectives (clause 6.2)
    *register_urls(
        "objectives",
        "objective",
        list_view=views_objectives.ObjectiveListView,
        detail_view=views_objectives.ObjectiveDetailView,
        form_view=views_objectives.ObjectiveFormView,
        delete_view=views_objectives.ObjectiveDeleteView,
    ),
    path("objectives/<uuid:pk>/approve/", views_objectives.ObjectiveApproveView.as_view(), name="objective-approve"),
    path("objectives/<uuid:pk>/measure/", views_objectives.ObjectiveValueView.as_view(), name="objective-measure"),
    path("objectives/<uuid:pk>/close/", views_objectives.ObjectiveCloseView.as_view(), name="objective-close"),
    # Competence and training (clause 7.2)
    *register_urls(
        "competences",
        "competence",
        list_view=views_competence.CompetenceListView,
        detail_view=views_competence.CompetenceDetailView,
        form_view=views_competence.CompetenceFormView,
        delete_view=views_competence.CompetenceDeleteView,
    ),
    path("competence-matrix/", views_competence.CompetenceMatrixView.as_view(), name="competence-matrix"),
    *register_urls(
        "courses",
        "trainingcourse",
        list_view=views_competence.CourseListView,
        detail_view=views_competence.CourseDetailView,
        form_view=views_competence.CourseFormView,
        delete_view=views_competence.CourseDeleteView,
    ),
    *register_urls(
        "training",
        "trainingrecord",
        list_view=views_competence.TrainingRecordListView,
        detail_view=views_competence.TrainingRecordDetailView,
        form_view=views_competence.TrainingRecordFormView,
        delete_view=views_competence.TrainingRecordDeleteView,
    ),
    # Awareness: policy acknowledgements (clause 7.3)
    *register_urls(
        "acknowledgements",
        "ackrequirement",
        list_view=views_awareness.AcknowledgementListView,
        detail_view=views_awareness.AcknowledgementDetailView,
        form_view=views_awareness.AcknowledgementRequirementFormView,
        delete_view=views_awareness.AcknowledgementRequirementDeleteView,
    ),
    path(
        "acknowledgements/<uuid:pk>/acknowledge/",
        views_awareness.AcknowledgeView.as_view(),
        name="ackrequirement-acknowledge",
    ),
    # Communication plan (clause 7.4)
    *register_urls(
        "communications",
        "communication",
        list_view=views_communication.CommunicationListView,
        detail_view=views_communication.CommunicationDetailView,
        form_view=views_communication.CommunicationFormView,
        delete_view=views_communication.CommunicationDeleteView,
    ),
    path(
        "communications/<uuid:pk>/done/", views_communication.CommunicationDoneView.as_view(), name="communication-done"
    ),
    # Documented information (clause 7.5) and the leadership view (clause 5.1)
    path("documented-information/", views_overview.DocumentedInformationView.as_view(), name="documented-information"),
    path("leadership/", views_overview.LeadershipView.as_view(), name="leadership"),
]
