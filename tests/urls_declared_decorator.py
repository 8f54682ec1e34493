from tests.urls_declared_limits import decorator_patterns as urlpatterns

__all__ = ["urlpatterns"]
