from django.urls import path
from django.views.generic import RedirectView

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="reviews:my")),
    path("my/", views.MyReviewsView.as_view(), name="my"),
    path("tasks/", views.ReviewTaskListView.as_view(), name="task-list"),
    path("tasks/<uuid:pk>/", views.ReviewTaskDetailView.as_view(), name="task-detail"),
    path("tasks/<uuid:pk>/complete/", views.ReviewTaskCompleteView.as_view(), name="task-complete"),
    path("tasks/<uuid:pk>/reassign/", views.ReviewTaskReassignView.as_view(), name="task-reassign"),
    path("run/", views.RunNowView.as_view(), name="run"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/<uuid:pk>/open/", views.NotificationOpenView.as_view(), name="notification-open"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("settings/", views.ReviewSettingsView.as_view(), name="settings"),
]
