from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeBaseConfig(AppConfig):
    name = "kb"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        # Here, not at the top: apps.py is imported before the models are ready.
        from itsm.demo import register_demo_loader
        from itsm.suggestions import (
            FormExtension,
            register_customer_content,
            register_form_extension,
            register_suggestions_panel,
        )
        from kb import fulltext
        from kb.selectors import customer_content
        from kb.services.articles import CHOSEN_FIELD, articles_link_chosen

        # The ticket pages' slot beside what the agent types.
        register_suggestions_panel("kb:suggest")
        # *Vincular* before the ticket exists: linked as it is created.
        register_form_extension(FormExtension(CHOSEN_FIELD, articles_link_chosen))
        # *Enviar al cliente*: a published article's text and documents in the e-mail.
        register_customer_content(customer_content)
        # The articles in the full-text index.
        fulltext.register()
        # seed_demo: the campaign's articles.
        register_demo_loader("seed_demo_kb")
