"""The language pipeline: spaCy components that read a report's body and annotate its Doc."""
