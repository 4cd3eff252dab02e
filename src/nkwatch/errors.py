"""Exception types with stable codes (E###) and messages a user can act on.

Each error carries a ``code`` and, where known, the ``location`` (file, line, field or URL)
that caused it, so that the CLI can print one line and the API one JSON error shape.
"""

from __future__ import annotations


class NKWatchError(Exception):
    """Base class: ``code`` is stable across releases, ``location`` names the input."""

    code = "E000"

    def __init__(self, message: str, *, location: str | None = None) -> None:
        self.message = message
        self.location = location
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{self.code}: {where}{self.message}"


class SourceError(NKWatchError):
    """A document could not be read (unreadable file, unknown format)."""

    code = "E001"


class EncodingError(SourceError):
    """A file's bytes are not text in any encoding we accept."""

    code = "E002"


class JSONLError(SourceError):
    """A JSON Lines record is malformed or lacks a required field."""

    code = "E003"


class FeedError(SourceError):
    """A feed could not be parsed as RSS or Atom."""

    code = "E004"


class DateError(SourceError):
    """A publication date is not a date."""

    code = "E005"


class FieldError(SourceError):
    """A metadata field has a value of the wrong kind."""

    code = "E006"


class EmptyDocumentError(SourceError):
    """Nothing is left of a document after extraction and cleaning."""

    code = "E007"


class FetchError(SourceError):
    """A URL could not be fetched (network error, HTTP error, too large)."""

    code = "E010"


class RobotsDisallowed(FetchError):
    """robots.txt forbids fetching the URL."""

    code = "E011"


class AddressRefused(FetchError):
    """The URL points at a loopback, private or otherwise non-public address."""

    code = "E012"


class TooLarge(FetchError):
    """The response is larger than the configured size cap."""

    code = "E013"


class StoreError(NKWatchError):
    """The database could not be opened, migrated or written."""

    code = "E020"


class SchemaVersionError(StoreError):
    """The database was written by a newer nkwatch than this one."""

    code = "E021"


class NotFound(NKWatchError):
    """No document (or other record) has the requested id."""

    code = "E030"


class QueryError(NKWatchError):
    """A search query or filter is not valid."""

    code = "E031"


class DataFileError(NKWatchError):
    """A packaged or user-given data file (lexicon, table) is malformed."""

    code = "E040"


class CorpusError(NKWatchError):
    """An annotated corpus (``gold.jsonl``) cannot be read or does not match its documents."""

    code = "E041"


class ExportError(NKWatchError):
    """An export or an import of exported events cannot be done as asked."""

    code = "E050"


class ScaleOutError(NKWatchError):
    """The Dask cluster cannot be reached or used."""

    code = "E060"


class ReviewError(NKWatchError):
    """A review action, a correction or a token is not valid; ``field`` names what is wrong."""

    code = "E070"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message, location=field)


class AccessError(NKWatchError):
    """A request needs a valid token (writing; anything on a non-loopback address)."""

    code = "E071"


class LanguageError(NKWatchError):
    """A report's language has no pipeline, or its pipeline's package is not installed."""

    code = "E080"
