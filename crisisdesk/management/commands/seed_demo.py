from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import demo as accounts_demo
from incidents import demo as incidents_demo
from monitoring import demo as monitoring_demo
from playbooks import demo as playbooks_demo


class Command(BaseCommand):
    help = "Create the demo organizations, people and data. Running it twice changes nothing."

    @transaction.atomic
    def handle(self, *args, **options):
        accounts = accounts_demo.seed()
        playbooks = playbooks_demo.seed(accounts)
        incidents = incidents_demo.seed(accounts, playbooks)
        monitoring_demo.seed(accounts, playbooks, incidents)
        self.stdout.write(
            _("Demo ready: %(org)s with %(count)d people; password for every demo user: %(password)s")
            % {
                "org": accounts.organization.name,
                "count": len(accounts.users),
                "password": accounts_demo.DEMO_PASSWORD,
            }
        )
