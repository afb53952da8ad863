"""The OpenAPI schema documents the error answers every endpoint may give, not only its 2xx."""

STANDARD_ERRORS = {
    "400": "Bad input; the answer names the field (DRF's usual shape).",
    "401": "Not signed in, or the token is wrong.",
    "403": "Signed in, but your role does not allow this.",
    "404": "No such object, or you may not see it.",
    "415": "The body is not in a format the API reads (send JSON).",
    "429": "Too many requests; try again later.",
}
ERROR = {"type": "object", "additionalProperties": True, "description": "DRF error: `detail` or fields."}


def add_standard_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the usual 4xx answers where not documented."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in STANDARD_ERRORS.items():
                entry = responses.setdefault(code, {"description": description})
                entry.setdefault(
                    "content", {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
                )
    return result
