"""Payment form errors that belong beside a field (status 422)."""

from __future__ import annotations


class PaymentInvalid(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
