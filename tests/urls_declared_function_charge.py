from tests.urls_declared_limits import function_charge_patterns as urlpatterns

__all__ = ["urlpatterns"]
