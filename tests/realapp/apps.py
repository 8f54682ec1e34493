from django.apps import AppConfig


class RealAppConfig(AppConfig):
    name = "tests.realapp"
    label = "realapp"
    default_auto_field = "django.db.models.BigAutoField"
