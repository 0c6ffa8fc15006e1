"""Turning the shared filter options into a `Filters` value."""

from __future__ import annotations

import argparse

from fieldnotes.dates import parse_date
from fieldnotes.queries.filters import Filters, parse_rating


def filters_from(args: argparse.Namespace) -> Filters:
    return Filters(
        codes=list(getattr(args, "code", []) or []),
        descendants=not getattr(args, "no_descendants", False),
        municipalities=list(getattr(args, "municipality", []) or []),
        cases=list(getattr(args, "case", []) or []),
        kinds=list(getattr(args, "kind", []) or []),
        activities=list(getattr(args, "activity", []) or []),
        phases=list(getattr(args, "phase", []) or []),
        date_from=parse_date(args.date_from, "from date") if getattr(args, "date_from", None) else None,
        date_to=parse_date(args.date_to, "to date") if getattr(args, "date_to", None) else None,
        coders=list(getattr(args, "filter_coders", []) or []),
        rating=parse_rating(args.rating) if getattr(args, "rating", None) else None,
        contains=getattr(args, "contains", None),
    )
