from django.apps import AppConfig


class PractitionersConfig(AppConfig):
    name = "practitioners"
    verbose_name = "Practitioners and credentials"

    def ready(self) -> None:
        from . import lookups

        lookups.register()
