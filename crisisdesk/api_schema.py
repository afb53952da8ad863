"""The OpenAPI schema says exactly what the API answers: its error answers too, not only its 2xx.

Checked against real answers by crisisdesk/tests/test_schema_answers.py.
"""

STANDARD_ERRORS = {
    "400": "Bad input; the answer names the field (DRF's usual shape).",
    "401": "Not signed in, or the token is wrong.",
    "403": "Signed in, but your role does not allow this.",
    "404": "No such object, or you may not see it.",
    "415": "The body is not in a format the API reads (send JSON).",
    "429": "Too many requests; try again later.",
}
ERROR = {"type": "object", "additionalProperties": True, "description": "DRF error: `detail` or fields."}
EMPTY_STRING = {"type": "string", "maxLength": 0}


def add_standard_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the usual 4xx answers where not documented.

    415 only where the operation takes a body: nothing else reads one.
    """
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in STANDARD_ERRORS.items():
                if code == "415" and "requestBody" not in operation:
                    continue
                entry = responses.setdefault(code, {"description": description})
                entry.setdefault(
                    "content", {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                )
    return result


def blank_strings_any_of(result, generator, request, public):
    """drf-spectacular postprocessing hook: a blank-allowed URL or e-mail is "a URL, or empty".

    drf-spectacular writes it `oneOf: [{format: uri}, {maxLength: 0}]`; where `format` is not
    checked (in JSON Schema it is an annotation, and most validators leave it so) an empty string
    matches both branches, so a strict client refuses a valid answer. `anyOf` says the same and holds.
    """
    _any_of_for_blank(result)
    return result


def _any_of_for_blank(node) -> None:
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and EMPTY_STRING in branches and len(branches) == 2:
            node["anyOf"] = node.pop("oneOf")
        for value in node.values():
            _any_of_for_blank(value)
    elif isinstance(node, list):
        for value in node:
            _any_of_for_blank(value)
