"""URL ids that fit the database: at most 18 digits, so a huge number is a 404, not a DataError."""

from django.urls import register_converter

ID_REGEX = "[0-9]{1,18}"


class IdConverter:
    regex = ID_REGEX

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
