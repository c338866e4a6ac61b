"""Named exceptions of the reports app (importable without loading Typst or openpyxl)."""


class ReportRequestError(Exception):
    """A report request that cannot be met, in words for the person who made it."""


class ReportError(Exception):
    """A report could not be produced (e.g. Typst rejected the document)."""
