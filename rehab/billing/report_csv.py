"""The monthly billing report as a CSV a spreadsheet opens as written.

UTF-8 with a byte-order mark (Excel reads UTF-8 only with it), ISO dates, and every text cell that
starts with `=`, `+`, `-` or `@` (or a tab or carriage return) prefixed with an apostrophe, so a
patient's label can never run as a formula (CSV injection).
"""

import csv
import io

BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = [
    "patient_id",
    "patient",
    "month",
    "rules",
    "period_start",
    "period_end",
    "data_days",
    "minutes",
    "interactive_call",
    "codes",
    "billable",
    "rpm",
    "closed",
    "missing",
    "after_close_data_days",
    "after_close_time_entries",
]


def escaped(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cells(row: dict) -> list:
    billed = [p for p in row["periods"] if p["billed_this_month"]] or row["periods"][-1:]
    return [
        row["patient"]["id"],
        escaped(row["patient"]["display_name"]),
        row["month"][:7],
        escaped(row["rules"]),
        "; ".join(p["start"] for p in billed),
        "; ".join(p["end"] for p in billed),
        "; ".join(str(p["data_days"]) for p in billed),
        row["minutes"],
        "yes" if row["interactive"] else "no",
        escaped(" ".join(row["codes"])),
        "yes" if row["billable"] else "no",
        "yes" if row["rpm"] else "no",
        "yes" if row["closed"] else "no",
        escaped("; ".join(row["missing"])),
        row["after_close"]["data_days"],
        row["after_close"]["time_entries"],
    ]


def report_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow(_cells(row))
    return out.getvalue()
