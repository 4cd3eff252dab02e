"""nkwatch: a sourced, dated, mapped, searchable record of North Korea's internal control."""

__version__ = "0.1.0"
