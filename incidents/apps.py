from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        # accounts may not import incidents, yet leaving an organization and editing a role
        # reach the roles held on incidents: through this registration (accounts.holdings).
        from accounts import holdings, two_factor
        from incidents.live import approval_feed, feeds
        from incidents.services.role_holdings import IncidentRoleHoldings, speaking_assignments

        holdings.register(self.label, IncidentRoleHoldings())
        two_factor.register_role_source(self.label, speaking_assignments)
        feeds.register(approval_feed.feed)  # every page: the statements waiting for my decision
