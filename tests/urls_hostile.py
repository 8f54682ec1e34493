"""The test URLconf plus the hostile-input views, a broken path converter among them."""

from django.urls import path, register_converter

from tests import hostile_views
from tests.urls import handler400, handler403, handler404, handler500
from tests.urls import urlpatterns as test_urlpatterns

register_converter(hostile_views.ColourConverter, "colour")

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [
    *test_urlpatterns,
    path("api/hostile/colour/<colour:colour>/", hostile_views.colour),
    path("api/hostile/place/", hostile_views.PlaceView.as_view()),
    path("api/hostile/validate-bug/", hostile_views.ValidateBugView.as_view()),
    path("api/hostile/nested-validate-bug/", hostile_views.NestedValidateBugView.as_view()),
    path("api/hostile/view-bug/", hostile_views.ViewBodyBugView.as_view()),
    path("api/hostile/plain-view-bug/", hostile_views.plain_view_bug),
    path("api/hostile/conflict-bad-header/", hostile_views.ConflictWithBadHeaderView.as_view()),
    path("api/hostile/unhashable/", hostile_views.UnhashableErrorView.as_view()),
    path("api/hostile/plain-unhashable/", hostile_views.plain_unhashable_error),
]
