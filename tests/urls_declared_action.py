from tests.urls_declared_limits import action_patterns as urlpatterns

__all__ = ["urlpatterns"]
