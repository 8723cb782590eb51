from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        # The one search index follows every write of the registered kinds.
        from knowledge.search.indexing import connect

        connect()
