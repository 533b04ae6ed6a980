"""The back office's own errors: what callers catch and staff read."""

from __future__ import annotations


class IngestError(Exception):
    """Anything the back office refuses to do, with a reason a person can act on."""


class InvalidOrder(IngestError, ValueError):
    """An order that cannot be recorded as given (bad quantity, missing sku, ...)."""

    def __init__(self, order_id: str, reason: str) -> None:
        super().__init__(f"order {order_id!r}: {reason}")
        self.order_id = order_id
        self.reason = reason


class DuplicateOrder(InvalidOrder):
    """The id is taken by a different order: the feed or a file reused it."""


class UnknownOrder(IngestError, LookupError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id!r}")
        self.order_id = order_id


class UploadRejected(IngestError, ValueError):
    """An uploaded file that is not imported at all (too big, or a row that does not parse)."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"upload {key!r} rejected: {reason}")
        self.key = key
        self.reason = reason
