#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisisdesk.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        # Load the settings here: Django's own command line keeps a settings error aside and goes
        # on without apps, so a bad environment would read as AppRegistryNotReady.
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:  # a bad environment: say it in one line, not a traceback
        sys.exit(f"ImproperlyConfigured: {error}")


if __name__ == "__main__":
    main()
