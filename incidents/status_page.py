"""The public status page of an organization and its Atom feed: what was published, nothing else.

Only published statements of incidents that are neither drills nor restricted; no sign-in.
"""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from accounts.models import Organization
from incidents import selectors

PAGE_SIZE = 50


def status_page(request, slug: str):
    organization = get_object_or_404(Organization, slug=slug)
    statements = selectors.published_statements_of(slug)[:PAGE_SIZE]
    return render(
        request, "incidents/status_page.html", {"organization": organization, "statements": statements}
    )


class StatusFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str):
        return get_object_or_404(Organization, slug=slug)

    def title(self, organization):
        return _("%(name)s: public statements") % {"name": organization.name}

    def link(self, organization):
        return reverse("status-page", args=[organization.slug])

    def subtitle(self, organization):
        return _("What %(name)s has said in public about ongoing incidents.") % {"name": organization.name}

    def items(self, organization):
        return selectors.published_statements_of(organization.slug)[:PAGE_SIZE]

    def item_title(self, statement):
        return statement.incident.title

    def item_description(self, statement):
        return statement.body

    def item_link(self, statement):
        return (
            reverse("status-page", args=[statement.incident.organization.slug]) + f"#statement-{statement.pk}"
        )

    def item_pubdate(self, statement):
        return statement.published_at

    def item_updateddate(self, statement):
        return statement.published_at
