"""Publication dates: parse what metadata gives into an ISO date, or say why it is not one."""

from __future__ import annotations

import datetime as dt
import re
import time

from nkwatch.errors import DateError

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def parse_publication_date(value: object, *, location: str, field: str = "published") -> str | None:
    """Return ``value`` as ``YYYY-MM-DD`` (or None when empty); raise DateError when not a date.

    Accepts ISO dates and datetimes (the time and zone are dropped: the report's own local
    date is what the codebook anchors on), ``datetime.date`` objects and ``time.struct_time``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, time.struct_time):
        return dt.date(value.tm_year, value.tm_mon, value.tm_mday).isoformat()
    if not isinstance(value, str):
        raise DateError(f"{field} {value!r} is not a date; expected YYYY-MM-DD", location=location)
    m = _ISO_DATE.match(value.strip())
    if not m:
        raise DateError(f"{field} {value!r} is not a date; expected YYYY-MM-DD", location=location)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError as exc:
        raise DateError(
            f"{field} {value!r} is not a date ({exc}); expected YYYY-MM-DD", location=location
        ) from None
