"""Writes for organizations, memberships and role permissions."""

import logging
import operator
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial, reduce

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_user_obj_perms_model
from rest_framework.authtoken.models import Token

from accounts import security_log
from accounts.holdings import registered as registered_holdings
from accounts.models import Membership, Organization, Role, SecurityEvent, User, organization_links

logger = logging.getLogger(__name__)

ADMIN_PERMISSIONS = ("accounts.author_playbooks", "accounts.manage_members")


@transaction.atomic
def organization_create(*, name: str, slug: str, two_factor_required: bool = True) -> Organization:
    group, _ = Group.objects.get_or_create(name=f"organization:{slug}")
    organization = Organization.objects.create(
        name=name, slug=slug, group=group, two_factor_required=two_factor_required
    )
    assign_perm("accounts.view_organization", group, organization)
    return organization


# Settings whose value stays out of the security log (a webhook URL holds its secret).
SECRET_SETTINGS = frozenset({"chat_webhook_url"})


@transaction.atomic
def organization_update(
    *, organization: Organization, acting_user: User | None, request=None, **fields
) -> Organization:
    """Change an organization's settings (the admin site and the API); each change is logged."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    before = {name: getattr(locked, name) for name in fields}
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean(exclude=["group"])
    changed = [name for name in fields if getattr(locked, name) != before[name]]
    if not changed:
        return locked
    locked.save(update_fields=changed)
    security_log.record(
        "settings_changed",
        request=request,
        actor=acting_user,
        organization=locked,
        detail={
            "changed": {
                name: None if name in SECRET_SETTINGS else [before[name], getattr(locked, name)]
                for name in changed
            }
        },
    )
    return locked


@transaction.atomic
def membership_add(
    *,
    organization: Organization,
    user: User,
    is_admin: bool = False,
    acting_user: User | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Make `user` a member (or update their admin flag); idempotent.

    Organization admins author playbooks in the admin site, so they become staff, and stop
    being staff when they administer no organization any more. A new member, and the admin
    flag given or taken, go in the organization's security log.
    """
    was_admin = Membership.objects.filter(organization=organization, user=user, is_admin=True).exists()
    membership, created = Membership.objects.update_or_create(
        organization=organization, user=user, defaults={"is_admin": is_admin}
    )
    if created or is_admin != was_admin:
        security_log.record(
            security_log.Kind.MEMBER_ADDED
            if created
            else (security_log.Kind.ROLE_GRANTED if is_admin else security_log.Kind.ROLE_REMOVED),
            request=request,
            actor=acting_user,
            subject=user,
            organization=organization,
            detail={"is_admin": is_admin} if created else {"role": security_log.ORGANIZATION_ADMIN},
        )
    user.groups.add(organization.group)
    for perm in ADMIN_PERMISSIONS:
        (assign_perm if is_admin else remove_perm)(perm, user, organization)
    if is_admin and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    elif was_admin and not is_admin:
        _staff_end_unless_admin(user)
    return membership


def _staff_end_unless_admin(user: User) -> None:
    """An organization admin who administers no organization any more is no longer staff (the
    admin site was theirs to author in); a superuser stays staff."""
    if user.is_staff and not user.is_superuser and not user.memberships.filter(is_admin=True).exists():
        user.is_staff = False
        user.save(update_fields=["is_staff"])


@transaction.atomic
def member_invite(
    *,
    organization: Organization,
    acting_user: User,
    email: str,
    full_name: str,
    language: str | None = None,
    is_admin: bool | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Add the person with this e-mail address, making their account when there is none.

    What the caller gets back is the same whether the account existed or not, so nothing
    about other organizations shows; an existing account keeps its name and language. The
    person gets an e-mail in their language: an invitation to choose a password (Django's
    password-reset token, taken by the reset pages) while they have none, else a note that
    they were added. `is_admin` left out keeps an existing member's flag. Invitations to one
    organization run one at a time (its row is locked first, as the lock order says).
    """
    Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()
    user = _account_for(
        email=User.objects.normalize_email(email.strip()),
        full_name=full_name,
        language=language or organization.language,
    )
    existing = Membership.objects.filter(organization=organization, user=user).first()
    if is_admin is None:
        is_admin = existing.is_admin if existing else False
    membership = membership_add(
        organization=organization, user=user, is_admin=is_admin, acting_user=acting_user, request=request
    )
    if user.is_active and (existing is None or not user.has_usable_password()):
        transaction.on_commit(
            partial(_welcome_send, user_pk=user.pk, organization_pk=organization.pk), robust=True
        )
    return membership


def _account_for(*, email: str, full_name: str, language: str) -> User:
    """The account with this e-mail (an active one first), or a new one without a password."""
    for _attempt in range(3):
        found = User.objects.filter(email__iexact=email).order_by("-is_active", "pk").first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                user = User(
                    username=_free_username(email), email=email, full_name=full_name, language=language
                )
                user.set_unusable_password()
                user.save()
                return user
        except IntegrityError:  # the same name was taken meanwhile: look again
            continue
    raise IntegrityError(f"No free username for {email!r}")


def _free_username(email: str) -> str:
    """The e-mail address as a username (what the person knows), numbered when it is taken."""
    base = re.sub(r"[^\w.@+-]", "_", email.lower())[:140]
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    return next(
        name for name in (base, *(f"{base}-{n}" for n in range(2, len(taken) + 3))) if name not in taken
    )


def _welcome_send(*, user_pk: int, organization_pk: int) -> None:
    """E-mail a new member: the link to choose a password, or a note that they were added."""
    user = User.objects.get(pk=user_pk)
    organization = Organization.objects.get(pk=organization_pk)
    site = settings.SITE_URL.rstrip("/")
    if user.has_usable_password():
        kind, link = "added", site + reverse("dashboard")
    else:
        uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
        kind = "invitation"
        link = site + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    context = {"user": user, "organization": organization, "link": link}
    with translation.override(user.language):
        subject = " ".join(render_to_string(f"registration/{kind}_subject.txt", context).split())
        body = render_to_string(f"registration/{kind}_email.txt", context)
    message = EmailMessage(subject, body, to=[user.email], headers={"Content-Language": user.language})
    try:
        message.send()
    except OSError:  # the membership stands; the admin can add them again to resend
        logger.exception("Could not e-mail the new member %s", user.pk)


def membership_lock(*, user: User, organization_id: int) -> Membership | None:
    """Lock `user`'s membership of the organization, if they are an active member (else None).

    Services that give someone something in an organization take this lock first (the
    project lock order: organization, membership, incident, ...), so membership_remove, which
    locks the same row, runs either wholly before them (they refuse) or wholly after (it takes
    back what they gave).
    """
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(user_id=user.pk, organization_id=organization_id)
        .first()
    )
    return membership if membership is not None and membership.user.is_active else None


@transaction.atomic
def membership_remove(
    *, membership: Membership, acting_user: User | None = None, request: HttpRequest | None = None
) -> None:
    """Take a person out of an organization, and everything they held there with them, at once.

    One transaction, in the project lock order: the membership row first; then each app that
    assigns roles (accounts.holdings; incidents does) ends the person's roles on the
    organization's objects, locking them in pk order and writing on each incident's timeline;
    then every object permission of theirs on the organization's objects goes, by content type
    (object_permissions_remove), with the organization's group and the membership itself; and
    their API token when they belong to no organization any more. Their playbook assignments
    stay where they are, shown as a gap ("left the organization") on the playbook page and in
    the admin until an admin names someone else; incidents opened from the playbook skip them.
    """
    locked = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organization__group")
        .filter(pk=membership.pk)
        .first()
    )
    if locked is None:  # removed meanwhile: nothing is left to take back
        return
    user, organization = locked.user, locked.organization
    for holdings in registered_holdings():
        holdings.end_in_organization(organization=organization, user=user, acting_user=acting_user)
    object_permissions_remove(user=user, organization=organization)
    user.groups.remove(organization.group)
    locked.delete()
    security_log.record(
        security_log.Kind.MEMBER_REMOVED,
        request=request,
        actor=acting_user,
        subject=user,
        organization=organization,
        detail={"is_admin": locked.is_admin},
    )
    if locked.is_admin:
        _staff_end_unless_admin(user)
    if not user.memberships.exists():
        token_revoke(user=user, request=request, acting_user=acting_user, organization=organization)


def object_permissions_remove(*, user: User, organization: Organization) -> int:
    """Delete `user`'s own guardian permissions on `organization` and on everything that belongs
    to it: the objects of every model with a foreign key to Organization. Answers how many.

    Generic by content type, so accounts needs to know no model of the apps to its right.
    """
    rows = UserObjectPermission.objects.filter(user=user)
    content_types = ContentType.objects.filter(pk__in=rows.values("content_type"))
    removed = 0
    for content_type in content_types:
        model = content_type.model_class()
        if model is None:  # a model that no longer exists: its rows open nothing
            continue
        removed += rows.filter(
            content_type=content_type, object_pk__in=_object_keys_in(model, organization)
        ).delete()[0]
    return removed


def _object_keys_in(model: type[models.Model], organization: Organization) -> models.QuerySet | list[str]:
    """The primary keys, as guardian stores them (text), of `model`'s objects in `organization`."""
    if model is Organization:
        return [str(organization.pk)]
    links = organization_links(model)
    if not links:
        raise ImproperlyConfigured(
            f"{model.__name__} carries object permissions but no foreign key to Organization: "
            "accounts.services cannot tell which organization its objects belong to."
        )
    in_organization = reduce(operator.or_, (models.Q(**{link: organization}) for link in links))
    return (
        model._base_manager.filter(in_organization)
        .annotate(object_key=Cast("pk", output_field=models.CharField()))
        .values("object_key")
    )


@transaction.atomic
def token_issue(*, user: User, request: HttpRequest | None = None) -> Token:
    """`user`'s API token, created (and logged) when they have none."""
    token, created = Token.objects.get_or_create(user=user)
    if created:
        security_log.record(security_log.Kind.TOKEN_CREATED, request=request, actor=user)
    return token


@transaction.atomic
def token_revoke(
    *,
    user: User,
    request: HttpRequest | None = None,
    acting_user: User | None = None,
    organization: Organization | None = None,
) -> None:
    """Delete `user`'s API token: the next request with it answers 401. Logged when there was one,
    in `organization` if given (the one they just left), else in each of theirs."""
    if Token.objects.filter(user=user).delete()[0]:
        actor = acting_user or user
        security_log.record(
            security_log.Kind.TOKEN_REVOKED,
            request=request,
            actor=actor,
            subject=user if actor.pk != user.pk else None,
            organization=organization,
        )


def role_grant(*, role: Role, user: User, obj: models.Model) -> None:
    """Give `user` every permission of `role` on `obj` (an object permission in guardian)."""
    for codename in role.permissions:
        assign_perm(codename, user, obj)


def role_grant_many(*, grants: Iterable[tuple[User, Role]], obj: models.Model) -> None:
    """`role_grant` for many people at once: one insert per permission, not per person."""
    users_by_codename: dict[str, set[User]] = defaultdict(set)
    for user, role in grants:
        for codename in role.permissions:
            users_by_codename[codename].add(user)
    manager = get_user_obj_perms_model(obj).objects
    for codename, users in users_by_codename.items():
        manager.assign_perm_to_many(codename, list(users), obj, ignore_conflicts=True)


def role_revoke(*, role: Role, user: User, obj: models.Model, kept_roles: Iterable[Role] = ()) -> None:
    """Take away the permissions of `role` on `obj`, except those a kept role still grants."""
    still_granted = {codename for kept in kept_roles for codename in kept.permissions}
    for codename in set(role.permissions) - still_granted:
        remove_perm(codename, user, obj)


@transaction.atomic
def role_update_permissions(*, role: Role, permissions: Iterable[str]) -> Role:
    """Change what a role grants, and with it the grants of everyone who holds it, at once.

    A permission added is granted to every holder on the object they hold the role on; one
    taken out is revoked unless another of their roles there still grants it. Lock order: the
    objects holding the role (incidents, in pk order), then the role row; role_assign and
    role_remove lock the role after their incident, so they grant or revoke the new set.
    """
    for holdings in registered_holdings():
        holdings.lock_objects_holding(role=role)
    role = Role.objects.select_for_update(no_key=True).get(pk=role.pk)
    before = set(role.permissions)
    role.permissions = list(dict.fromkeys(permissions))
    role.full_clean()
    role.save(update_fields=["permissions"])
    added, dropped = set(role.permissions) - before, before - set(role.permissions)
    if not (added or dropped):
        return role
    for holdings in registered_holdings():
        for holding in holdings.holdings_of(role=role):
            still_granted = {codename for held in holding.roles for codename in held.permissions}
            for codename in added:
                assign_perm(codename, holding.user, holding.obj)
            for codename in dropped - still_granted:
                remove_perm(codename, holding.user, holding.obj)
    return role


def organization_grant(*, organization: Organization, codename: str, obj: models.Model) -> None:
    """Give every member of `organization` a permission on `obj`, through its group."""
    assign_perm(codename, organization.group, obj)


def organization_revoke(*, organization: Organization, codename: str, obj: models.Model) -> None:
    remove_perm(codename, organization.group, obj)


PROFILE_FIELDS = (
    "full_name",
    "email",
    "language",
    "time_zone",
    "email_reminders",
    "quiet_from",
    "quiet_until",
)


def user_update_profile(*, user: User, **fields) -> User:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"user_update_profile() cannot change {sorted(unknown)}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=list(fields))
    return user


def user_set_language(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


# The database's trigger judges a row's age by its own clock: prune a little short of the limit.
PRUNE_MARGIN = timedelta(minutes=10)


def security_log_prune(*, now: datetime | None = None) -> int:
    """Delete the security events older than SECURITY_LOG_RETENTION_DAYS; answers how many.

    The only deletion the log takes: its trigger refuses to delete a row younger than a day
    (migration 0004_security_log), which is why the setting's minimum is one day.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS) - PRUNE_MARGIN
    deleted, _ = SecurityEvent.objects.filter(at__lt=cutoff).delete()
    return deleted
