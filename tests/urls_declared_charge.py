from tests.urls_declared_limits import charge_patterns as urlpatterns

__all__ = ["urlpatterns"]
