"""Writes for publishing channels: organization admins add, change and remove them.

The API and the admin site both come here, so a channel is validated by its model (`Channel.clean`)
and an organization keeps at most one default channel whichever way it is changed.
"""

from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from incidents.models import Channel

ADMIN_PERMISSION = "accounts.author_playbooks"


class ChannelFields(TypedDict, total=False):
    kind: str
    name: str
    url: str
    is_default: bool
    is_active: bool
    max_length: int | None
    secret: str
    access_token: str


CHANNEL_FIELDS = frozenset(ChannelFields.__annotations__)


def require_admin(user: User, organization: Organization) -> None:
    """Only the organization's admins (or a superuser) change its channels."""
    if not user.has_perm(ADMIN_PERMISSION, organization):
        raise PermissionDenied(_("Only organization admins change publishing channels."))


def _lock(organization_id: int, channel_id: int | None = None) -> Channel | None:
    """Lock in the project's order: the organization first (it guards the one default), then the channel."""
    Organization.objects.select_for_update().filter(pk=organization_id).get()
    if channel_id is None:
        return None
    return Channel.objects.select_for_update().filter(pk=channel_id).first()


def _store(channel: Channel, *, update_fields: list[str] | None = None) -> Channel:
    """Validate through the model, then save; a new default takes the place of the old one."""
    # The one-default constraint is kept by unsetting the old default below, not refused.
    channel.full_clean(validate_constraints=False)
    if channel.is_default:
        Channel.objects.filter(organization_id=channel.organization_id, is_default=True).exclude(
            pk=channel.pk
        ).update(is_default=False)
    channel.save(update_fields=update_fields)
    return channel


@transaction.atomic
def channel_create(
    *,
    organization: Organization,
    acting_user: User,
    kind: str,
    name: str,
    url: str = "",
    is_default: bool = False,
    is_active: bool = True,
    max_length: int | None = None,
    secret: str = "",
    access_token: str = "",
) -> Channel:
    """Add a channel; when it is the default, the organization's previous default stops being one."""
    require_admin(acting_user, organization)
    _lock(organization.pk)
    channel = Channel(
        organization=organization,
        kind=kind,
        name=name,
        url=url,
        is_default=is_default,
        is_active=is_active,
        max_length=max_length,
        secret=secret,
        access_token=access_token,
    )
    return _store(channel)


@transaction.atomic
def channel_update(*, channel: Channel, acting_user: User, **fields: Unpack[ChannelFields]) -> Channel:
    """Change the fields given and keep the others (a secret left out stays as it was).

    Deactivating a channel also makes it no longer the default, unless `is_default` is given too.
    """
    require_admin(acting_user, channel.organization)
    _check_fields(fields)
    locked = _lock(channel.organization_id, channel.pk)
    if locked is None:
        raise Channel.DoesNotExist
    if fields.get("is_active") is False and "is_default" not in fields:
        fields["is_default"] = False
    for name, value in fields.items():
        setattr(locked, name, value)
    return _store(locked, update_fields=list(fields))


@transaction.atomic
def channel_delete(*, channel: Channel, acting_user: User) -> bool:
    """Delete a channel and answer True; one with publications is the record of where statements
    went, so it is deactivated instead (no longer active nor default) and the answer is False."""
    require_admin(acting_user, channel.organization)
    locked = _lock(channel.organization_id, channel.pk)
    if locked is None:
        return True  # someone else deleted it meanwhile
    if not locked.publications.exists():
        locked.delete()
        return True
    if locked.is_active or locked.is_default:
        locked.is_active = locked.is_default = False
        locked.save(update_fields=["is_active", "is_default"])
    return False


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - CHANNEL_FIELDS
    if unknown:
        raise TypeError(f"unknown channel fields: {sorted(unknown)}")
