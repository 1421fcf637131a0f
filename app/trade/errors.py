"""Trade's field-level refusal. Step-level refusals are app.web.errors.DomainError (409) and
running out of stock is app.postings.stock.OutOfStock (409)."""

from __future__ import annotations


class TradeInvalid(ValueError):
    """Submitted data breaks a trade rule; ``field`` names the form field the message belongs beside
    (routes show it there with status 422)."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message
