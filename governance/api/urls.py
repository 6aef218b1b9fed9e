from django.urls import path
from rest_framework.routers import SimpleRouter

from governance.api import views

router = SimpleRouter()
router.register("aims-roles", views.AimsRoleViewSet, basename="aimsrole")
router.register("role-assignments", views.RoleAssignmentViewSet, basename="roleassignment")
router.register("raci-entries", views.RaciEntryViewSet, basename="raci")
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("competences", views.CompetenceViewSet, basename="competence")
router.register("training-courses", views.TrainingCourseViewSet, basename="trainingcourse")
router.register("training-records", views.TrainingRecordViewSet, basename="trainingrecord")
router.register("communications", views.CommunicationViewSet, basename="communication")
router.register(
    "acknowledgement-requirements", views.AcknowledgementRequirementViewSet, basename="acknowledgementrequirement"
)
router.register("acknowledgements", views.AcknowledgementViewSet, basename="acknowledgement")

urlpatterns = [
    *router.urls,
    path("competence-matrix/", views.CompetenceMatrixView.as_view(), name="competence-matrix"),
    path("documented-information/", views.DocumentedInformationView.as_view(), name="documented-information"),
]
