"""Choosing the gateway per number: mainland numbers (+86) go through a licensed domestic provider
(Alibaba Cloud or Tencent Cloud SMS: Twilio cannot reach them both ways), every other number through
the default gateway (Twilio, or the console in development)."""

from __future__ import annotations

from sms.gateways import Gateway, GatewayError, SendResult, TemplateSms

MAINLAND_PREFIX = "+86"


def is_mainland(phone: str) -> bool:
    """True for an E.164 mainland China number (+86…); Hong Kong (+852), Macau (+853) and Taiwan
    (+886) are not mainland and go through the default gateway."""
    return phone.startswith(MAINLAND_PREFIX) and not phone.startswith(("+852", "+853", "+886"))


class RoutingGateway(Gateway):
    """Sends each message through ``mainland`` when its number is a mainland one, else ``default``.
    A batch is split by route, each part goes to its gateway's ``send_template_batch`` (so it is
    batched as that provider allows), and the results come back in the order of the input."""

    name = "routing"

    def __init__(self, default: Gateway, mainland: Gateway):
        self.default, self.mainland = default, mainland

    def route(self, phone: str) -> Gateway:
        """The gateway that serves ``phone``."""
        return self.mainland if is_mainland(phone) else self.default

    def send(self, to: str, body: str, status_callback: str | None = None) -> SendResult:
        return self.route(to).send(to, body, status_callback)

    def send_template(self, message: TemplateSms, status_callback: str | None = None) -> SendResult:
        return self.route(message.to).send_template(message, status_callback)

    def send_template_batch(self, messages: list[TemplateSms]) -> list[SendResult | GatewayError]:
        results: list[SendResult | GatewayError | None] = [None] * len(messages)
        gateways = [self.mainland] if self.default is self.mainland else [self.mainland, self.default]
        for gateway in gateways:
            indexes = [index for index, message in enumerate(messages) if self.route(message.to) is gateway]
            if not indexes:
                continue
            answers = gateway.send_template_batch([messages[index] for index in indexes])
            if len(answers) != len(indexes):
                answers = [GatewayError(True, f"{gateway.name} answered {len(answers)} of {len(indexes)}")] * len(
                    indexes
                )
            for index, answer in zip(indexes, answers, strict=True):
                results[index] = answer
        return results  # type: ignore[return-value]  # both routes together cover every index
