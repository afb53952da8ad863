from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlaybooksConfig(AppConfig):
    name = "playbooks"
    verbose_name = _("Playbooks")

    def ready(self):
        # Who is named for an approving role in a playbook is asked for two-factor sign-in before
        # the incident that gives them the role (accounts.two_factor).
        from accounts import two_factor
        from playbooks.models import PlaybookRoleAssignment

        two_factor.register_role_source(
            self.label,
            lambda *, user, organization: PlaybookRoleAssignment.objects.filter(
                user_id=user, playbook__organization_id=organization, role__speaks_for_brand=True
            ),
        )
