from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from api.models import ApiToken
        from api.tokens import forget_token

        post_save.connect(forget_token, sender=ApiToken, dispatch_uid="api-token-saved")
        post_delete.connect(forget_token, sender=ApiToken, dispatch_uid="api-token-deleted")
