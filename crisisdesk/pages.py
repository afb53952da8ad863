"""Small helpers shared by the page views of every app."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crisisdesk.converters import fits_in_utc


def add_form_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's validation error next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class MomentField(forms.DateTimeField):
    """Django's DateTimeField that also refuses a time outside UTC's range (`0001-01-01T00:00`
    in Amsterdam is before year 1 in UTC): a form error, where saving it would be a 500."""

    default_error_messages = {"overflow": _("Datetime value out of range.")}

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is not None and not fits_in_utc(moment):
            raise ValidationError(self.error_messages["overflow"], code="overflow")
        return moment
