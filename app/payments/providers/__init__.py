"""Payment provider modules; importing this package registers them (see README, "Adding a payment
provider")."""

from app.payments.providers import alipay_provider, manual, stripe_provider, wechatpay_provider  # noqa: F401
from app.payments.providers.base import registered


def enabled_names(config) -> list[str]:
    """Providers listed in PAYMENT_PROVIDERS that are registered and have their settings."""
    wanted = [name.strip() for name in (config.get("PAYMENT_PROVIDERS") or "").split(",") if name.strip()]
    available = registered()
    return [name for name in wanted if name in available and available[name].enabled(config)]


def get_provider(name: str, config):
    """The provider instance for ``name``, or None when it is unknown or not enabled."""
    if name not in enabled_names(config):
        return None
    return registered()[name](config)
