"""The OpenAPI schema's standard error responses (issue 14: every status code the API answers is
documented, found by fuzzing the schema with schemathesis).

Every operation may answer 401 (a token that is missing, wrong or of a deactivated user) and 403
(a capability the role lacks, or a row rule); an operation with a path parameter or a `page` also
404 (a record outside the user's scope or that does not exist, a page beyond the last); one that
reads a body or query parameters also 400 (field errors). A response an operation documents itself
is kept as it is.
"""

ERROR = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["detail"],
    "description": "Why the request was refused.",
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": "Field name → list of messages (`non_field_errors` for the request as a whole), "
    "or `detail` for a body that cannot be parsed.",
}
CONFLICT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "enum": ["state_conflict", "version_conflict"]},
        "version": {"type": "array", "items": {"type": "string"}},
        "current_version": {"type": "integer"},
    },
    "required": ["detail", "code"],
    "description": "`state_conflict`: the record's state no longer allows this (someone was first). "
    "`version_conflict`: the record changed since the `version` sent was read (apps.common.versioning): the "
    "field error on `version` and the `current_version` to read again.",
}
DESCRIPTIONS = {
    "400": "The request is invalid: field errors.",
    "401": "No valid token (or session): sign in.",
    "403": "The role does not allow this, or the record's rules do not.",
    "404": "No such record within the user's scope, or no such page.",
}


def _response(code: str) -> dict:
    ref = "PortalFieldErrors" if code == "400" else "PortalError"
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the portal's error responses on every operation."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("PortalError", ERROR)
    schemas.setdefault("PortalFieldErrors", FIELD_ERRORS)
    schemas.setdefault("PortalConflict", CONFLICT)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            parameters = operation.get("parameters", [])
            codes = ["401", "403"]
            if any(p.get("in") == "path" for p in parameters) or any(p.get("name") == "page" for p in parameters):
                codes.append("404")
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                codes.append("400")
            for code in codes:
                operation["responses"].setdefault(code, _response(code))
            conflict = operation["responses"].get("409")
            if isinstance(conflict, dict) and "content" not in conflict:
                # Every 409 is the exception handler's (apps.common.api): one documented body.
                conflict["content"] = {"application/json": {"schema": {"$ref": "#/components/schemas/PortalConflict"}}}
    return result
