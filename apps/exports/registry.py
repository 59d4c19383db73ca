"""What can be exported as a background job: each app registers its exports from `ready()`.

    register_export("observations", _("Gemba observations"), build_rows, capability="observations.view")

`build_rows(job)` returns (header, count, rows): the column names, how many rows there will be, and
an iterator of rows, read with the requester's scope and the job's filters (`job.params`), at the
time the job runs. The exports app knows no app above it.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str
    build_rows: Callable
    capability: str  # who may request it (the rows are scoped by the builder)
    filename: str  # e.g. "observations" -> observations-20261201-1405.csv


_KINDS: dict[str, ExportKind] = {}


def register_export(
    code: str, label, build_rows: Callable, *, capability: str, filename: str | None = None
) -> ExportKind:
    kind = ExportKind(code, label, build_rows, capability, filename or code)
    _KINDS[code] = kind
    return kind


def export_kind(code: str) -> ExportKind:
    try:
        return _KINDS[code]
    except KeyError:
        raise KeyError(f"Unknown export {code!r}") from None


def export_choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.label) for kind in _KINDS.values()]
