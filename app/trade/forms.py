"""Trade forms. Numbers are typed as text and parsed by postings' DecimalText (NaN, infinity,
signs, zero, too many decimals and huge values are refused beside the field)."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from app.postings.forms import MAX_PRICE, MAX_QUANTITY, DecimalText
from app.postings.models import DeliveryOption
from app.trade.models import RefundOutcome
from app.trade.orders import ACTIONS, MAX_NOTE_LENGTH

DELIVERY_LABELS = {
    DeliveryOption.COLLECT.value: _l("Buyer collects"),
    DeliveryOption.DELIVER.value: _l("Seller delivers"),
}
MAX_REFUND = Decimal("1000000000000000")


def _optional_int(value):
    if value in (None, ""):
        return None
    return int(value)


class _DeliveryMixin:
    def limit_delivery(self, options: list[str]) -> None:
        """Offer only the delivery options the posting allows and preselect the first (the buyer
        collects, when the posting allows both), as the buy-now button on the posting page does."""
        self.delivery.choices = [SelectChoice(option, DELIVERY_LABELS[option]) for option in options]
        if options and not self.delivery.data:
            self.delivery.data = options[0]


class OfferForm(_DeliveryMixin, FlaskForm):
    quantity = DecimalText(
        _l("Quantity"), places=3, maximum=MAX_QUANTITY, validators=[InputRequired(_l("Enter the quantity."))]
    )
    unit_price = DecimalText(
        _l("Price per unit (¥)"),
        places=2,
        maximum=MAX_PRICE,
        not_positive_message=_l("Price must be greater than 0."),
        validators=[InputRequired(_l("Enter your price."))],
    )
    delivery = RadioField(_l("Delivery"), choices=[], validators=[InputRequired(_l("Choose a delivery option."))])
    message = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=2000)])


class QuoteForm(OfferForm):
    lot_posting_id = SelectField(
        _l("From my sell offer (optional)"), coerce=_optional_int, choices=[], validate_choice=False
    )

    def set_lots(self, lots) -> None:
        self.lot_posting_id.choices = [SelectChoice("", _l("No particular offer"))] + [
            SelectChoice(lot.id, f"{lot.title}{' · ' + lot.lot_code if lot.lot_code else ''}") for lot in lots
        ]


class CounterForm(OfferForm):
    """Same fields as an offer; the thread decides the posting and the parties."""


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[InputRequired(_l("Write a message.")), Length(max=2000)])


class BuyNowForm(_DeliveryMixin, FlaskForm):
    quantity = DecimalText(
        _l("Quantity"), places=3, maximum=MAX_QUANTITY, validators=[InputRequired(_l("Enter the quantity."))]
    )
    delivery = RadioField(_l("Delivery"), choices=[], validators=[InputRequired(_l("Choose a delivery option."))])


class BasketQuantityForm(FlaskForm):
    """The quantity of one lot in the basket (added from the posting page or changed in the basket)."""

    quantity = DecimalText(
        _l("Quantity"), places=3, maximum=MAX_QUANTITY, validators=[InputRequired(_l("Enter the quantity."))]
    )


def basket_price_form(line_ids: list[int], required: bool, delivery_options: list[str] | None = None, **kwargs):
    """A form with a unit price per line (``price_<id>``) and a message: the buyer's request
    (prices optional, with the delivery option) or the seller's answer (every price required)."""

    class BasketPriceForm(_DeliveryMixin, FlaskForm):
        message = TextAreaField(_l("Message (optional)"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])
        delivery = RadioField(_l("Delivery"), choices=[], validators=[Optional()])

    for line_id in line_ids:
        validators = [InputRequired(_l("Enter a price for every lot."))] if required else [Optional()]
        field = DecimalText(
            _l("Price per unit (¥)"),
            places=2,
            maximum=MAX_PRICE,
            not_positive_message=_l("Price must be greater than 0."),
            validators=validators,
        )
        setattr(BasketPriceForm, f"price_{line_id}", field)
    form = BasketPriceForm(**kwargs)
    if delivery_options is not None:
        form.delivery.validators = [InputRequired(_l("Choose a delivery option."))]
        form.limit_delivery(delivery_options)
    return form


class OrderActionForm(FlaskForm):
    action = HiddenField(validators=[InputRequired(), AnyOf(ACTIONS)])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])


class DisputeForm(FlaskForm):
    reason = TextAreaField(
        _l("What went wrong?"), validators=[InputRequired(_l("Say what went wrong.")), Length(max=MAX_NOTE_LENGTH)]
    )


class ResolveDisputeForm(FlaskForm):
    outcome = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(RefundOutcome.FULL.value, _l("Full refund")),
            SelectChoice(RefundOutcome.PARTIAL.value, _l("Partial refund")),
            SelectChoice(RefundOutcome.NONE.value, _l("No refund")),
        ],
        validators=[InputRequired(_l("Choose a decision."))],
    )
    refund_amount = DecimalText(_l("Refund amount for a partial refund (¥)"), places=2, maximum=MAX_REFUND)
    note = TextAreaField(_l("Reason for the decision"), validators=[Optional(), Length(max=MAX_NOTE_LENGTH)])


class ReviewForm(FlaskForm):
    rating = RadioField(
        _l("Rating"),
        choices=[SelectChoice(n, "★" * n) for n in range(5, 0, -1)],
        coerce=_optional_int,
        validators=[InputRequired(_l("Choose from 1 to 5 stars."))],
    )
    comment = TextAreaField(
        _l("Comment"), validators=[InputRequired(_l("Write a few words about the trade.")), Length(max=2000)]
    )
