from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self):
        # Every page hears of a new alert in the person's organizations (incidents' live feeds).
        from incidents.live import feeds
        from monitoring import live_feed

        feeds.register(live_feed.feed)
