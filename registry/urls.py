from django.urls import path
from django.views.generic import RedirectView

from aims.crud import register_urls
from registry import views, views_context

app_name = "registry"

urlpatterns = [
    path("systems/mine/", RedirectView.as_view(url="/inventory/systems/?mine=true"), name="my-systems"),
    *register_urls(
        "systems",
        "aisystem",
        list_view=views.AISystemListView,
        detail_view=views.AISystemDetailView,
        form_view=views.AISystemFormView,
        delete_view=views.AISystemDeleteView,
    ),
]

# AIMS scope, context issues and interested parties (clause 4).
urlpatterns += [
    path("scope/", views_context.ScopePageView.as_view(), name="scope"),
    # The same page under the "-list" name the generic detail and form templates link back to.
    path("scope/", views_context.ScopePageView.as_view(), name="scope-list"),
    path("scope/new/", views_context.ScopeStatementFormView.as_view(), name="scope-create"),
    path("scope/<uuid:pk>/", views_context.ScopeStatementDetailView.as_view(), name="scope-detail"),
    path("scope/<uuid:pk>/edit/", views_context.ScopeStatementFormView.as_view(), name="scope-update"),
    path("scope/<uuid:pk>/approve/", views_context.ScopeStatementApproveView.as_view(), name="scope-approve"),
    path("scope/<uuid:pk>/delete/", views_context.ScopeStatementDeleteView.as_view(), name="scope-delete"),
    *register_urls(
        "context-issues",
        "contextissue",
        list_view=views_context.ContextIssueListView,
        detail_view=views_context.ContextIssueDetailView,
        form_view=views_context.ContextIssueFormView,
        delete_view=views_context.ContextIssueDeleteView,
    ),
    *register_urls(
        "interested-parties",
        "interestedparty",
        list_view=views_context.InterestedPartyListView,
        detail_view=views_context.InterestedPartyDetailView,
        form_view=views_context.InterestedPartyFormView,
        delete_view=views_context.InterestedPartyDeleteView,
    ),
]
