from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import Source


class CsvUploadForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.none())
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns: external_id, author, text, url, posted_at (ISO 8601).")
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources
