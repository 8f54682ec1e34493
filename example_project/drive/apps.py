from django.apps import AppConfig


class DriveConfig(AppConfig):
    name = "example_project.drive"
    label = "drive"
    verbose_name = "Example drive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from example_project.drive import schema  # noqa: F401  (registers the auth scheme)
