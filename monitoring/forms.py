import csv
import io

from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.models import Source
from monitoring.validation import MAX_BATCH

MAX_CSV_ROWS = MAX_BATCH * 10


class CsvUploadForm(forms.Form):
    """A CSV file of mentions for a manual source; the file is read here, so a file that is not
    UTF-8 CSV, holds a NUL character or has too many rows is a form error and nothing is written."""

    source = forms.ModelChoiceField(label=_("Source"), queryset=Source.objects.none())
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns: external_id, author, text, url, posted_at (ISO 8601).")
    )

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources

    def clean_file(self) -> list[dict]:
        """The file's rows, one dict per line under the header."""
        try:
            text = self.cleaned_data["file"].read().decode("utf-8-sig")
            if "\x00" in text:
                raise forms.ValidationError(
                    _("This file holds a NUL character: it is not a CSV file of text."), code="nul"
                )
            rows = list(csv.DictReader(io.StringIO(text)))
        except (UnicodeDecodeError, csv.Error) as error:
            raise forms.ValidationError(_("This is not a CSV file in UTF-8."), code="invalid") from error
        if len(rows) > MAX_CSV_ROWS:
            raise forms.ValidationError(
                _("At most %(count)d rows in one file.") % {"count": MAX_CSV_ROWS}, code="too_many"
            )
        return rows
