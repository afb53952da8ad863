import io

from django.core.management import call_command


def test_the_openapi_schema_generates_without_warnings_and_validates():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "openapi: 3" in out.getvalue()
