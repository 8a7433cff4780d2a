from django.apps import AppConfig


class PractitionersConfig(AppConfig):
    name = "practitioners"
    verbose_name = "Practitioners and credentials"
