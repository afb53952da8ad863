import zoneinfo
from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SecurityEvent, User
from crisisdesk.converters import fits_in_utc


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
    )

    class Meta:
        model = User
        fields = (
            "full_name",
            "email",
            "language",
            "time_zone",
            "email_reminders",
            "quiet_from",
            "quiet_until",
        )
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, for invited members too: their account has no password until they choose one,
    and Django would send such an account no link."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True).exclude(email="")


class MemberAddForm(forms.Form):
    """The members page's form; the same fields as the members API (accounts.serializers)."""

    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices, required=False)
    is_admin = forms.BooleanField(label=_("Organization admin"), required=False)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class PasswordAgainForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Asked again, so that nobody else at your desk can change how you sign in."),
    )


class TwoFactorSetupForm(PasswordAgainForm):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SecurityLogFilterForm(forms.Form):
    """The security log page's filters; the days are the reader's, in their time zone."""

    kind = forms.ChoiceField(
        label=_("Event"), required=False, choices=[("", _("All events")), *SecurityEvent.Kind.choices]
    )
    person = forms.CharField(
        label=_("Person"), required=False, max_length=150, help_text=_("Part of a username.")
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The last day comes after the first."))
        return cleaned

    def filters(self) -> dict:
        """The arguments of security_log.events_in: from the first day's start to the end of
        the last, in the active time zone (a day at the edge of the calendar bounds nothing)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "person": data["person"].strip(),
            "since": _day_start(data["since"]),
            "until": _day_start(data["until"], days_later=1),
        }


def _day_start(day: date | None, *, days_later: int = 0) -> datetime | None:
    if day is None or day > date.max - timedelta(days=days_later):
        return None
    moment = timezone.make_aware(datetime.combine(day + timedelta(days=days_later), time.min))
    return moment if fits_in_utc(moment) else None
