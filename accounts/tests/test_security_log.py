"""The security log: append-only in the database, and each event in the organizations it concerns."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.utils import timezone

from accounts import services
from accounts.models import Organization, SecurityEvent
from accounts.security_log import describe, record
from conftest import make_user

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind


def refused(write):
    """Run `write` in a savepoint and answer the database's error (the test's transaction goes on)."""
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        write()
    return error.value


def aged(days: float) -> SecurityEvent:
    """A row written `days` ago (inserting an old time is allowed: only changes are refused)."""
    return SecurityEvent.objects.create(
        kind=Kind.SIGNED_IN, actor="old", at=timezone.now() - timedelta(days=days)
    )


class TestRecord:
    def test_it_writes_one_row_in_each_organization_of_the_actor(self, org, other_org):
        sam = make_user("sam", organization=org)
        services.membership_add(organization=other_org, user=sam)
        request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
        events = record(Kind.SIGNED_IN, request=request, actor=sam)
        assert {event.organization for event in events} == {org, other_org}
        rows = SecurityEvent.objects.filter(kind=Kind.SIGNED_IN)
        assert sorted(rows.values_list("organization__slug", flat=True)) == ["lumen", "parcel-co"]
        assert {(row.actor, row.actor_pk, row.address) for row in rows} == {("sam", sam.pk, "192.0.2.7")}

    def test_a_named_organization_gets_the_only_row(self, org, other_org):
        sam = make_user("sam", organization=org)
        services.membership_add(organization=other_org, user=sam)
        lead = make_user("lead", organization=org, is_admin=True)
        [event] = record(
            Kind.ROLE_GRANTED, actor=lead, subject=sam, organization=org, detail={"role": "Lead"}
        )
        event = SecurityEvent.objects.get(pk=event.pk)
        assert (event.organization, event.actor, event.subject, event.detail) == (
            org,
            "lead",
            "sam",
            {"role": "Lead"},
        )
        assert event.address is None

    def test_without_an_actor_it_goes_to_the_subjects_organizations(self, org, other_org):
        sam = make_user("sam", organization=other_org)
        [event] = record(Kind.TOKEN_REVOKED, subject=sam)
        assert (event.organization, event.actor, event.actor_pk, event.subject) == (
            other_org,
            "",
            None,
            "sam",
        )

    def test_a_failed_sign_in_goes_to_the_organizations_of_the_name_typed(self, org):
        make_user("sam", organization=org)
        [event] = record(Kind.SIGN_IN_FAILED, username="sam")
        assert (event.organization, event.actor, event.actor_pk) == (org, "sam", None)

    def test_an_unknown_name_or_a_person_of_no_organization_gets_one_row_without_one(self, db):
        [unknown] = record(Kind.SIGN_IN_FAILED, username="nobody")
        [loner] = record(Kind.SIGNED_IN, actor=make_user("loner"))
        assert unknown.organization is None and loner.organization is None
        assert SecurityEvent.objects.filter(organization=None).count() == 2

    def test_an_address_that_is_not_one_is_left_empty(self, org):
        request = RequestFactory().get("/", REMOTE_ADDR="not-an-address")
        [event] = record(Kind.SIGN_IN_FAILED, request=request, username="x")
        assert event.address is None


class TestAppendOnlyInTheDatabase:
    def test_a_queryset_update_is_refused(self, org):
        [event] = record(Kind.SIGN_IN_FAILED, username="sam", organization=org)
        error = refused(lambda: SecurityEvent.objects.filter(pk=event.pk).update(actor="someone else"))
        assert isinstance(error, IntegrityError) and "append-only" in str(error)
        assert SecurityEvent.objects.get(pk=event.pk).actor == "sam"

    def test_an_old_row_cannot_be_made_young_or_young_one_old(self, db):
        old, young = aged(3), aged(0)
        assert isinstance(
            refused(lambda: SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now())), IntegrityError
        )
        assert isinstance(
            refused(
                lambda: SecurityEvent.objects.filter(pk=young.pk).update(
                    at=timezone.now() - timedelta(days=9)
                )
            ),
            IntegrityError,
        )

    def test_a_young_row_is_not_deleted_an_old_one_is(self, db):
        old, almost, young = aged(1.01), aged(0.99), aged(0)
        error = refused(lambda: SecurityEvent.objects.filter(pk__in=[almost.pk, young.pk]).delete())
        assert isinstance(error, IntegrityError)
        assert isinstance(refused(lambda: SecurityEvent.objects.all().delete()), IntegrityError)
        assert SecurityEvent.objects.count() == 3  # all or nothing
        SecurityEvent.objects.filter(pk=old.pk).delete()
        assert set(SecurityEvent.objects.values_list("pk", flat=True)) == {almost.pk, young.pk}

    def test_raw_sql_cannot_update_or_delete_a_young_row(self, db):
        young = aged(0)
        table = SecurityEvent._meta.db_table

        def execute(sql):
            with connection.cursor() as cursor:
                cursor.execute(sql, [young.pk])

        assert isinstance(
            refused(lambda: execute(f"UPDATE {table} SET actor = 'x' WHERE id = %s")), IntegrityError
        )
        assert isinstance(refused(lambda: execute(f"DELETE FROM {table} WHERE id = %s")), IntegrityError)
        assert SecurityEvent.objects.filter(pk=young.pk, actor="old").exists()

    def test_an_organization_with_a_log_is_not_deleted(self, org):
        record(Kind.SETTINGS_CHANGED, organization=org)
        with pytest.raises(ProtectedError):
            Organization.objects.get(pk=org.pk).delete()


@pytest.mark.postgresql
def test_on_postgresql_the_refusal_is_a_restrict_violation(db):
    """SQLSTATE 23001, which psycopg and Django raise as an IntegrityError."""
    young = aged(0)
    assert (
        refused(lambda: SecurityEvent.objects.filter(pk=young.pk).update(actor="x")).__cause__.sqlstate
        == "23001"
    )
    assert refused(lambda: SecurityEvent.objects.filter(pk=young.pk).delete()).__cause__.sqlstate == "23001"


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_log_and_the_guard_comes_back(builtin_roles):
    """Tests and resets empty the database with `flush` (a DELETE on SQLite, a TRUNCATE on PostgreSQL)."""
    organization = services.organization_create(name="Lumen Energy", slug="lumen")
    record(Kind.SETTINGS_CHANGED, organization=organization)
    call_command("flush", "--noinput", verbosity=0)
    assert SecurityEvent.objects.count() == Organization.objects.count() == 0
    young = aged(0)
    assert isinstance(
        refused(lambda: SecurityEvent.objects.filter(pk=young.pk).update(actor="x")), IntegrityError
    )
    assert isinstance(refused(lambda: SecurityEvent.objects.filter(pk=young.pk).delete()), IntegrityError)


class TestDescribe:
    def test_it_says_what_an_event_concerned(self, org):
        [settings_changed] = record(
            Kind.SETTINGS_CHANGED,
            organization=org,
            detail={"changed": {"two_factor_required": [False, True], "chat_webhook_url": None}},
        )
        assert describe(settings_changed) == ("two-factor sign-in required: off → on · chat webhook changed")
        [granted] = record(
            Kind.ROLE_GRANTED,
            organization=org,
            detail={"role": "Approver", "incident": 12, "title": "App down"},
        )
        assert describe(granted) == "Role: Approver · incident #12 “App down”"
        [published] = record(
            Kind.STATEMENT_PUBLISHED,
            organization=org,
            detail={"statement": 5, "revision": 2, "channel": "Website", "incident": 12, "title": "App down"},
        )
        assert describe(published) == "statement 5, revision 2 · on Website · incident #12 “App down”"
        [added] = record(Kind.MEMBER_ADDED, organization=org, detail={"is_admin": True, "extra": 1})
        assert describe(added) == "as organization admin · extra: 1"
