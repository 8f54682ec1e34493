from tests.urls_declared_limits import function_patterns as urlpatterns

__all__ = ["urlpatterns"]
