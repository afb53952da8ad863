from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = _("Playbooks")

    def ready(self):
        # Who is named for an approving role in a playbook is asked for two-factor sign-in before
        # the incident that gives them the role (accounts.two_factor).
        from accounts import two_factor
        from playbooks.selectors import speaking_assignments

        two_factor.register_role_source(self.label, speaking_assignments)
