"""Reading and writing tabular files (CSV and XLSX), and the import/export registry.

Imports are all-or-nothing: an importer validates every row, collects :class:`RowError`s and raises
:class:`ImportFailed` with all of them before writing anything; otherwise it writes in one transaction.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from kam.core.errors import ValidationFailed

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row number as the user sees it in the file (header is row 1, so data starts at 2)
    field: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, %(field)s: %(message)s") % {
            "row": self.row,
            "field": self.field,
            "message": self.message,
        }


class ImportFailed(ValidationFailed):
    code = "import_failed"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        fields: dict[str, list[str]] = {}
        for err in errors:
            fields.setdefault(f"row {err.row}", []).append(f"{err.field}: {err.message}")
        super().__init__(
            _("The file was not imported: %(count)s errors. Nothing was changed.") % {"count": len(errors)},
            fields=fields,
        )


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(_("The file is neither UTF-8 nor GB18030 text."), fields={"file": [_("Unknown encoding.")]})


def read_table(source: bytes | IO[bytes] | Path | str, filename: str = "") -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts keyed by the (stripped) header cells."""
    if isinstance(source, Path | str):
        filename = filename or str(source)
        data = Path(source).read_bytes()
    elif isinstance(source, bytes):
        data = source
    else:
        data = source.read()
    name = filename.lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        return _read_xlsx(data)
    if name and not name.endswith((".csv", ".txt")):
        raise ValidationFailed(_("Upload a .csv or .xlsx file."), fields={"file": [_("Unsupported file type.")]})
    reader = csv.reader(io.StringIO(_decode(data)))
    rows = list(reader)
    return _as_dicts(rows)


def _read_xlsx(data: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationFailed(_("The workbook cannot be read."), fields={"file": [force_str(exc)]}) from exc
    sheet = workbook.worksheets[0]
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _as_dicts(rows)


def _as_dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    return [{h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header) if h} for row in rows[1:]]


def write_csv(out: IO[str], headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    writer = csv.writer(out)
    writer.writerow([force_str(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else force_str(v) for v in row])


def xlsx_bytes(headers: Sequence[Any], rows: Iterable[Sequence[Any]], title: str = "data") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "data")
    sheet.append([force_str(h) for h in headers])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; values are in local time already
    from decimal import Decimal

    if isinstance(value, Decimal):
        return float(value)
    return force_str(value)


def write_table(path: Path | str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(xlsx_bytes(headers, rows, title=path.stem))
    else:
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            write_csv(out, headers, rows)


@dataclass(frozen=True)
class Exchange:
    """An importable/exportable kind (``kam import customers file.xlsx``)."""

    kind: str
    label: Any
    headers: Sequence[str]
    import_rows: Callable[[list[dict[str, str]], Any], int] | None = None  # (rows, actor) -> rows written
    export_rows: Callable[[Any], Iterable[Sequence[Any]]] | None = None  # actor -> rows (scoped to actor)
    required: Sequence[str] = field(default_factory=tuple)


exchanges: dict[str, Exchange] = {}


def register_exchange(exchange: Exchange) -> None:
    exchanges[exchange.kind] = exchange


def import_upload(*, kind: str, data: bytes, filename: str, actor: Any, kinds: Sequence[str] | None = None) -> int:
    """Import an uploaded CSV/XLSX file of a registered kind as ``actor``: all rows or none.

    ``kinds`` limits which kinds this door accepts (an app's upload page offers only its own). Raises
    ``ImportFailed`` (row errors) or ``ValidationFailed`` (unknown kind, unreadable file).
    """
    from kam.core.audit import audit_context
    from kam.core.models.audit import AuditSource

    exchange = exchanges.get(kind)
    if exchange is None or exchange.import_rows is None or (kinds is not None and kind not in kinds):
        msg = _("Unknown import kind %(kind)s.") % {"kind": kind}
        raise ValidationFailed(msg, fields={"kind": [msg]})
    rows = read_table(data, filename=filename)
    with audit_context(actor=actor, source=AuditSource.IMPORT):
        return exchange.import_rows(rows, actor)
