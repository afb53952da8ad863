"""Small helpers shared by the page views of every app."""

from django import forms
from django.core.exceptions import ValidationError


def add_form_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's validation error next to the field it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
