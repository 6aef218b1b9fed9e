from rest_framework.routers import SimpleRouter

from reviews.api import views

router = SimpleRouter()
router.register("review-tasks", views.ReviewTaskViewSet, basename="reviewtask")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
