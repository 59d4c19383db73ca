"""What can be the source of an action: the record that found the need for it.

An action points to its source with one generic link (`Action.source_type`, `Action.source_id`).
Each app that feeds the register says which of its models may be a source, under which kind,
from its `AppConfig.ready()`:

    register_source("observation", _("Gemba observation"), "observations.Observation")

and gives each of those models a reverse accessor (`actions = source_actions_relation("...")`).
The register itself knows no app above it: the kinds offered in filters are the ones registered.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType


@dataclass(frozen=True)
class SourceKind:
    code: str
    label: str
    models: tuple[str, ...]  # "app_label.ModelName"

    def content_type_ids(self) -> list[int]:
        return [ContentType.objects.get_by_natural_key(*name.lower().split(".")).pk for name in self.models]


_KINDS: dict[str, SourceKind] = {}


def register_source(code: str, label, *models: str) -> SourceKind:
    """Declare a kind of source and the models that are sources of that kind."""
    if not models:
        raise ValueError(f"Source kind {code!r} names no model")
    existing = _KINDS.get(code)
    kind = SourceKind(code, label, tuple(models))
    if existing is not None and existing.models != kind.models:
        raise ValueError(f"Source kind {code!r} is registered twice with different models")
    _KINDS[code] = kind
    return kind


def source_kinds() -> list[SourceKind]:
    return list(_KINDS.values())


def source_kind(code: str) -> SourceKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise KeyError(f"Unknown action source kind {code!r}") from None


def kind_for_content_type(content_type: ContentType | int | None) -> SourceKind | None:
    """The kind of a source model, given its content type (already loaded: no query) or its id."""
    if content_type is None:
        return None
    if not isinstance(content_type, ContentType):
        content_type = ContentType.objects.get_for_id(content_type)
    name = f"{content_type.app_label}.{content_type.model}"
    for kind in _KINDS.values():
        if name in (m.lower() for m in kind.models):
            return kind
    return None


def source_actions_relation(related_query_name: str) -> GenericRelation:
    """The reverse accessor a source model declares: `record.actions` lists its actions.

    Deleting a source never deletes its actions: the services that remove a source refuse while
    it has actions (the register keeps every action)."""
    return GenericRelation(
        "actions.Action",
        content_type_field="source_type",
        object_id_field="source_id",
        related_query_name=related_query_name,
    )
