import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


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
