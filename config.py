"""Jishi settings. This module is the only place that reads ``os.environ``.

Every setting has a safe development default; production refuses to start without a real SECRET_KEY.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("JISHI_INSTANCE_DIR", BASE_DIR / "instance"))


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_int(name: str, default: int) -> int:
    return int(_env(name, str(default)))


def _env_bool(name: str, default: bool) -> bool:
    return (_env(name, "1" if default else "0") or "").lower() in {"1", "true", "yes", "on"}


def _sms_template_codes() -> dict[str, dict[str, str]]:
    """Each mainland provider's approved template codes, {provider: {template name: code}}: from
    SMS_TEMPLATE_CODES (JSON) or else the file SMS_TEMPLATE_CODES_FILE (default
    instance/sms_template_codes.json, absent in development). docs/sms-templates.md lists the names."""
    raw = _env("SMS_TEMPLATE_CODES")
    if raw is None:
        path = Path(_env("SMS_TEMPLATE_CODES_FILE", str(INSTANCE_DIR / "sms_template_codes.json")))
        if not path.is_file():
            return {}
        raw = path.read_text(encoding="utf-8")
    codes = json.loads(raw)
    if not isinstance(codes, dict) or not all(isinstance(v, dict) for v in codes.values()):
        raise ValueError("SMS_TEMPLATE_CODES must map each provider to {template name: code}")
    return {str(provider): {str(k): str(v) for k, v in names.items()} for provider, names in codes.items()}


DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key"


class Config:
    SECRET_KEY = _env("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'jishi.db'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection unused this long is pinged before use (app/db.py install_idle_ping); 0
    # pings before every use (SQLAlchemy's pool_pre_ping: one more round trip per request).
    DATABASE_PING_IDLE_SECONDS = float(_env("DATABASE_PING_IDLE_SECONDS", "5"))
    UPLOAD_DIR = _env("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    INSTANCE_DIR = str(INSTANCE_DIR)

    # Public address of the site as seen by phones and by Twilio/Stripe (used for links in SMS and
    # for webhook signature checks behind a proxy).
    PUBLIC_BASE_URL = _env("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    DEFAULT_PHONE_REGION = _env("DEFAULT_PHONE_REGION", "CN")
    CURRENCY = _env("CURRENCY", "CNY")
    TIMEZONE = _env("TIMEZONE", "Asia/Shanghai")

    LANGUAGES = ("en", "zh_Hans")
    BABEL_DEFAULT_LOCALE = _env("DEFAULT_LOCALE", "en")
    BABEL_DEFAULT_TIMEZONE = TIMEZONE

    # Six photos of at most 10 MB each plus the form fields; anything larger is refused with 413
    # before it is read.
    MAX_PHOTO_BYTES = _env_int("MAX_PHOTO_BYTES", 10 * 1024 * 1024)
    MAX_PHOTOS_PER_POSTING = 6
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 6 * 10 * 1024 * 1024 + 1024 * 1024)
    PHOTO_MAX_PX = 1600
    # What static/js/photo-resize.js aims at for each photo before sending it (issue 25: ~300 KB, a
    # quarter of a minute at 20 KB/s); the server's limit stays MAX_PHOTO_BYTES.
    PHOTO_UPLOAD_TARGET_BYTES = 300 * 1024
    THUMB_MAX_PX = 320
    # Issue 25: a photo that arrived with a posting form that failed for another reason is kept this
    # long for the member to send the form again without it; a half-typed new posting this many days.
    PENDING_UPLOAD_HOURS = 24
    POSTING_DRAFT_DAYS = 30

    POSTINGS_PER_PAGE = _env_int("POSTINGS_PER_PAGE", 20)
    POSTING_DEFAULT_DAYS = _env_int("POSTING_DEFAULT_DAYS", 30)
    # Market: each worker keeps the ids of recent result pages and reuses them only while no
    # posting has changed (0 turns this off); the catalogue choices of the search form are
    # re-read after this many seconds. See bench/README.md.
    MARKET_RESULT_CACHE_SIZE = _env_int("MARKET_RESULT_CACHE_SIZE", 500)
    MARKET_RESULT_CACHE_SECONDS = _env_int("MARKET_RESULT_CACHE_SECONDS", 60)
    MARKET_CATALOGUE_SECONDS = _env_int("MARKET_CATALOGUE_SECONDS", 30)
    # Rendered posting cards each worker keeps, keyed by everything a card shows (0 turns this off).
    MARKET_CARD_CACHE_SIZE = _env_int("MARKET_CARD_CACHE_SIZE", 2000)
    # Rendered posting page bodies each worker keeps, keyed by everything a body shows (0 turns this off).
    POSTING_PAGE_CACHE_SIZE = _env_int("POSTING_PAGE_CACHE_SIZE", 2000)
    # How long a worker reuses a member's completed-order and review counts (the safety signals on
    # posting and storefront pages); 0 reads them for every page.
    SAFETY_RECORD_CACHE_SECONDS = _env_int("SAFETY_RECORD_CACHE_SECONDS", 60)
    # Posting views are counted in memory and written at most this often, in one statement, by each
    # worker (and when it exits): a counter is not worth a write per page view. 0 writes every view.
    POSTING_VIEW_FLUSH_SECONDS = _env_int("POSTING_VIEW_FLUSH_SECONDS", 10)

    # Trade: an open offer lapses after this many hours; a buyer may open a dispute this many days
    # after delivery; a review can be edited this many days after it was written.
    OFFER_EXPIRY_HOURS = _env_int("OFFER_EXPIRY_HOURS", 72)
    DISPUTE_WINDOW_DAYS = _env_int("DISPUTE_WINDOW_DAYS", 7)
    REVIEW_EDIT_DAYS = _env_int("REVIEW_EDIT_DAYS", 7)
    ORDERS_PER_PAGE = _env_int("ORDERS_PER_PAGE", 20)
    NEGOTIATION_POLL_SECONDS = _env_int("NEGOTIATION_POLL_SECONDS", 5)
    # Reports: the market's fee on sellers' net sales in settlement statements, in percent (e.g. 1.5).
    MARKET_FEE_PERCENT = Decimal(_env("MARKET_FEE_PERCENT", "0"))

    # Purchase contracts (docs/contracts.md): the PDF embeds this CJK font (a TrueType collection
    # needs the index of its face); Debian's fonts-wqy-microhei installs the default, which .ci/run
    # and `make install-fonts` install. Without a delivery date on the sell offer, goods are due this
    # many days after the order was placed.
    CONTRACT_FONT_PATH = _env("CONTRACT_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    CONTRACT_FONT_INDEX = _env_int("CONTRACT_FONT_INDEX", 0)
    CONTRACT_DELIVERY_DAYS = _env_int("CONTRACT_DELIVERY_DAYS", 14)

    # Forum: page sizes; authors may edit a post this many minutes; a member younger than
    # FORUM_NEW_MEMBER_DAYS with fewer than FORUM_NEW_MEMBER_POSTS posts may write at most
    # FORUM_NEW_MEMBER_POSTS_PER_HOUR posts an hour (spam from fresh accounts).
    FORUM_THREADS_PER_PAGE = _env_int("FORUM_THREADS_PER_PAGE", 25)
    FORUM_POSTS_PER_PAGE = _env_int("FORUM_POSTS_PER_PAGE", 20)
    FORUM_EDIT_MINUTES = _env_int("FORUM_EDIT_MINUTES", 30)
    FORUM_NEW_MEMBER_DAYS = _env_int("FORUM_NEW_MEMBER_DAYS", 3)
    FORUM_NEW_MEMBER_POSTS = _env_int("FORUM_NEW_MEMBER_POSTS", 5)
    FORUM_NEW_MEMBER_POSTS_PER_HOUR = _env_int("FORUM_NEW_MEMBER_POSTS_PER_HOUR", 3)
    # Knowledge base and ask-an-expert (docs/knowledge.md): list page sizes, and how many questions
    # one phone number (or member) may ask in 24 hours, on the web and by SMS together.
    KNOWLEDGE_ARTICLES_PER_PAGE = _env_int("KNOWLEDGE_ARTICLES_PER_PAGE", 20)
    KNOWLEDGE_QUESTIONS_PER_PAGE = _env_int("KNOWLEDGE_QUESTIONS_PER_PAGE", 20)
    KNOWLEDGE_QUESTIONS_PER_DAY = _env_int("KNOWLEDGE_QUESTIONS_PER_DAY", 5)
    # At most this many experts are texted about one new question (the rest see it in their queue).
    KNOWLEDGE_EXPERTS_NOTIFIED = _env_int("KNOWLEDGE_EXPERTS_NOTIFIED", 10)

    # Rate limits live in Redis in production so that every gunicorn worker and host shares them.
    REDIS_URL = _env("REDIS_URL")
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", REDIS_URL or "memory://")
    # Visitors' posting pages shared by every worker and host (app/search/shared_cache.py); empty
    # keeps them in each worker only.
    PAGE_CACHE_REDIS_URL = _env("PAGE_CACHE_REDIS_URL", REDIS_URL or "")
    RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = _env("LOGIN_RATE_LIMIT", "10 per minute")
    SIGNUP_RATE_LIMIT = _env("SIGNUP_RATE_LIMIT", "5 per minute;30 per hour")
    # One-time codes (app/members/codes.py): an SMS code works for CODE_TTL_MINUTES and dies after
    # CODE_MAX_ATTEMPTS wrong tries; a new one may be asked for after CODE_RESEND_SECONDS; at most
    # CODES_PER_NUMBER_PER_HOUR go to one number or e-mail address and CODES_PER_IP_PER_HOUR are
    # asked for from one IP address. An e-mailed reset link works for RESET_LINK_TTL_MINUTES.
    # CODE_RATE_LIMIT caps the code forms' posts per IP (and per number on the reset form).
    CODE_TTL_MINUTES = _env_int("CODE_TTL_MINUTES", 10)
    CODE_MAX_ATTEMPTS = _env_int("CODE_MAX_ATTEMPTS", 5)
    CODE_RESEND_SECONDS = _env_int("CODE_RESEND_SECONDS", 60)
    CODES_PER_NUMBER_PER_HOUR = _env_int("CODES_PER_NUMBER_PER_HOUR", 5)
    CODES_PER_IP_PER_HOUR = _env_int("CODES_PER_IP_PER_HOUR", 20)
    RESET_LINK_TTL_MINUTES = _env_int("RESET_LINK_TTL_MINUTES", 60)
    CODE_RATE_LIMIT = _env("CODE_RATE_LIMIT", "10 per minute")

    # --- SMS budget (issue 23, app/notify/sms_budget.py) ---------------------------------------------
    # Every SMS a stranger or a new station can cause (codes, password resets, station confirmations)
    # is counted in the database per window — clock hour (UTC) and local day — against each budget:
    # per number, per number range (the first SMS_BUDGET_PREFIX_DIGITS digits), per client address
    # (codes), per station (confirmations) and site-wide. Over a budget the request is refused (429)
    # and the admins are alerted once per window. SMS go only to SMS_ALLOWED_COUNTRY_CODES
    # (comma-separated calling codes). After SMS_HUMAN_CHECK_AFTER_PER_ADDRESS codes from one address
    # or SMS_HUMAN_CHECK_AFTER_PER_PREFIX SMS to one range in an hour, each further code needs a
    # human check (a question in the form).
    SMS_ALLOWED_COUNTRY_CODES = _env("SMS_ALLOWED_COUNTRY_CODES", "86")
    SMS_BUDGET_PREFIX_DIGITS = _env_int("SMS_BUDGET_PREFIX_DIGITS", 7)
    SMS_BUDGET_NUMBER_PER_HOUR = _env_int("SMS_BUDGET_NUMBER_PER_HOUR", 5)
    SMS_BUDGET_NUMBER_PER_DAY = _env_int("SMS_BUDGET_NUMBER_PER_DAY", 10)
    SMS_BUDGET_PREFIX_PER_HOUR = _env_int("SMS_BUDGET_PREFIX_PER_HOUR", 20)
    SMS_BUDGET_PREFIX_PER_DAY = _env_int("SMS_BUDGET_PREFIX_PER_DAY", 60)
    SMS_BUDGET_ADDRESS_PER_HOUR = _env_int("SMS_BUDGET_ADDRESS_PER_HOUR", 10)
    SMS_BUDGET_ADDRESS_PER_DAY = _env_int("SMS_BUDGET_ADDRESS_PER_DAY", 30)
    SMS_BUDGET_STATION_PER_HOUR = _env_int("SMS_BUDGET_STATION_PER_HOUR", 30)
    SMS_BUDGET_STATION_PER_DAY = _env_int("SMS_BUDGET_STATION_PER_DAY", 150)
    SMS_BUDGET_SITE_PER_HOUR = _env_int("SMS_BUDGET_SITE_PER_HOUR", 200)
    SMS_BUDGET_SITE_PER_DAY = _env_int("SMS_BUDGET_SITE_PER_DAY", 1000)
    SMS_HUMAN_CHECK_AFTER_PER_ADDRESS = _env_int("SMS_HUMAN_CHECK_AFTER_PER_ADDRESS", 3)
    SMS_HUMAN_CHECK_AFTER_PER_PREFIX = _env_int("SMS_HUMAN_CHECK_AFTER_PER_PREFIX", 5)
    # --- end SMS budget --------------------------------------------------------------------------------

    # werkzeug's default method and cost; tests set a cheaper scrypt cost.
    PASSWORD_HASH_METHOD = "scrypt"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None  # a farmer may leave a form open for hours on a slow phone
    HSTS = False

    # SMS, mail and payments: read here so that `TWILIO_AUTH_TOKEN=… make run` works; used by later modules.
    SMS_GATEWAY = _env("SMS_GATEWAY", "console")
    # Mainland SMS (issue 17): the approved 【签名】 the provider prepends (it counts towards the
    # 70-character parts, so every template is measured with it) and the providers' template codes.
    SMS_SIGN_NAME = _env("SMS_SIGN_NAME", "集市")
    SMS_TEMPLATE_CODES = _sms_template_codes()
    TWILIO_ACCOUNT_SID = _env("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN = _env("TWILIO_AUTH_TOKEN")
    TWILIO_FROM_NUMBER = _env("TWILIO_FROM_NUMBER")
    TWILIO_MESSAGING_SERVICE_SID = _env("TWILIO_MESSAGING_SERVICE_SID")
    # Mainland numbers (+86) go through SMS_GATEWAY_CN (aliyun, tencent or console; empty: the same
    # gateway as every other number, SMS_GATEWAY). Mainland SMS are approved templates signed with the
    # approved 【签名】 SMS_SIGN_NAME. The *_TEXT_TEMPLATE settings name the approved template with one
    # parameter (${content} / {1}) that carries a free text, such as the reply to an SMS command. A
    # provider's callbacks (replies 上行 and delivery reports 状态报告) must carry its *_CALLBACK_TOKEN
    # (?token=…): they are not signed. See docs/sms-providers.md.
    SMS_GATEWAY_CN = _env("SMS_GATEWAY_CN", "")
    ALIYUN_SMS_ACCESS_KEY_ID = _env("ALIYUN_SMS_ACCESS_KEY_ID")
    ALIYUN_SMS_ACCESS_KEY_SECRET = _env("ALIYUN_SMS_ACCESS_KEY_SECRET")
    ALIYUN_SMS_ENDPOINT = _env("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com")
    ALIYUN_SMS_TEXT_TEMPLATE_CODE = _env("ALIYUN_SMS_TEXT_TEMPLATE_CODE")
    ALIYUN_SMS_CALLBACK_TOKEN = _env("ALIYUN_SMS_CALLBACK_TOKEN")
    TENCENT_SMS_SECRET_ID = _env("TENCENT_SMS_SECRET_ID")
    TENCENT_SMS_SECRET_KEY = _env("TENCENT_SMS_SECRET_KEY")
    TENCENT_SMS_SDK_APP_ID = _env("TENCENT_SMS_SDK_APP_ID")
    TENCENT_SMS_REGION = _env("TENCENT_SMS_REGION", "ap-guangzhou")
    TENCENT_SMS_ENDPOINT = _env("TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com")
    TENCENT_SMS_TEXT_TEMPLATE_ID = _env("TENCENT_SMS_TEXT_TEMPLATE_ID")
    TENCENT_SMS_CALLBACK_TOKEN = _env("TENCENT_SMS_CALLBACK_TOKEN")
    MAIL_BACKEND = _env("MAIL_BACKEND", "console")
    MAIL_SERVER = _env("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_DEFAULT_SENDER = _env("MAIL_DEFAULT_SENDER", "Jishi <noreply@jishi.example>")
    STRIPE_SECRET_KEY = _env("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = _env("STRIPE_WEBHOOK_SECRET")
    # Payment providers a buyer may choose from, comma-separated ("manual,stripe"); stripe is offered
    # only when STRIPE_SECRET_KEY is set. Webhooks older than the tolerance (seconds) are refused.
    PAYMENT_PROVIDERS = _env("PAYMENT_PROVIDERS", "manual")
    STRIPE_WEBHOOK_TOLERANCE = _env_int("STRIPE_WEBHOOK_TOLERANCE", 300)
    # Alipay (支付宝, docs/payments-alipay.md): offered only with the app id and both keys, each given
    # inline (one base64 line or PEM) or as a file (_PATH). ALIPAY_SELLER_ID (the 2088… PID) is sent
    # with each trade and checked in notifications when set. ALIPAY_ROYALTY_FREEZE freezes paid
    # money for split settlement (分账). ALIPAY_NOTIFY_URL defaults to PUBLIC_BASE_URL +
    # /hooks/payments/alipay.
    ALIPAY_APP_ID = _env("ALIPAY_APP_ID")
    ALIPAY_APP_PRIVATE_KEY = _env("ALIPAY_APP_PRIVATE_KEY")
    ALIPAY_APP_PRIVATE_KEY_PATH = _env("ALIPAY_APP_PRIVATE_KEY_PATH")
    ALIPAY_PUBLIC_KEY = _env("ALIPAY_PUBLIC_KEY")
    ALIPAY_PUBLIC_KEY_PATH = _env("ALIPAY_PUBLIC_KEY_PATH")
    # Certificate mode (公钥证书) instead of ALIPAY_PUBLIC_KEY: the app's certificate
    # (appCertPublicKey_….crt), Alipay's (alipayCertPublicKey_RSA2.crt) and Alipay's root certificate.
    ALIPAY_APP_CERT = _env("ALIPAY_APP_CERT")
    ALIPAY_APP_CERT_PATH = _env("ALIPAY_APP_CERT_PATH")
    ALIPAY_PUBLIC_CERT = _env("ALIPAY_PUBLIC_CERT")
    ALIPAY_PUBLIC_CERT_PATH = _env("ALIPAY_PUBLIC_CERT_PATH")
    ALIPAY_ROOT_CERT = _env("ALIPAY_ROOT_CERT")
    ALIPAY_ROOT_CERT_PATH = _env("ALIPAY_ROOT_CERT_PATH")
    ALIPAY_GATEWAY_URL = _env("ALIPAY_GATEWAY_URL", "https://openapi.alipay.com/gateway.do")
    ALIPAY_SELLER_ID = _env("ALIPAY_SELLER_ID")
    ALIPAY_NOTIFY_URL = _env("ALIPAY_NOTIFY_URL")
    ALIPAY_ROYALTY_FREEZE = _env_bool("ALIPAY_ROYALTY_FREEZE", False)
    ALIPAY_TIMEOUT = _env_int("ALIPAY_TIMEOUT", 15)
    ALIPAY_TIMEOUT_EXPRESS = _env("ALIPAY_TIMEOUT_EXPRESS", "2h")
    ALIPAY_SPLIT_BILL_TYPE = _env("ALIPAY_SPLIT_BILL_TYPE", "signcustomer")
    # WeChat Pay API v3 (docs/payments-wechat.md): offered when the merchant id, app id, APIv3 key,
    # merchant private key file and its certificate serial are set, and either the WeChat Pay public
    # key (file + id) or a directory of platform certificates. The gateway is WeChat's; tests point
    # it at a local fake. Notifications older than the tolerance (seconds) are refused. With
    # WECHATPAY_PROFIT_SHARING on, payments are created for split settlement (分账) to sellers.
    WECHATPAY_MCHID = _env("WECHATPAY_MCHID")
    WECHATPAY_APPID = _env("WECHATPAY_APPID")
    WECHATPAY_APIV3_KEY = _env("WECHATPAY_APIV3_KEY")
    WECHATPAY_PRIVATE_KEY_PATH = _env("WECHATPAY_PRIVATE_KEY_PATH")
    WECHATPAY_CERT_SERIAL_NO = _env("WECHATPAY_CERT_SERIAL_NO")
    WECHATPAY_PUBLIC_KEY_PATH = _env("WECHATPAY_PUBLIC_KEY_PATH")
    WECHATPAY_PUBLIC_KEY_ID = _env("WECHATPAY_PUBLIC_KEY_ID")
    WECHATPAY_PLATFORM_CERT_DIR = _env("WECHATPAY_PLATFORM_CERT_DIR")
    WECHATPAY_GATEWAY = _env("WECHATPAY_GATEWAY", "https://api.mch.weixin.qq.com")
    WECHATPAY_NOTIFY_TOLERANCE = _env_int("WECHATPAY_NOTIFY_TOLERANCE", 300)
    WECHATPAY_PAY_MINUTES = _env_int("WECHATPAY_PAY_MINUTES", 120)
    WECHATPAY_TIMEOUT_SECONDS = _env_int("WECHATPAY_TIMEOUT_SECONDS", 15)
    WECHATPAY_PROFIT_SHARING = _env_bool("WECHATPAY_PROFIT_SHARING", False)
    # Split settlement (分账) retries: the first retry after this many minutes, doubling up to the cap.
    SPLIT_RETRY_MINUTES = _env_int("SPLIT_RETRY_MINUTES", 5)
    SPLIT_RETRY_MAX_MINUTES = _env_int("SPLIT_RETRY_MAX_MINUTES", 360)

    # Logistics: per-carrier webhook secrets ("sf-express=secret1,zto=secret2"; the name is the
    # carrier code in /hooks/logistics/<carrier>), the accepted clock difference of a signed carrier
    # event, and how long a driver's link works (it also stops on delivery).
    LOGISTICS_CARRIER_SECRETS = _env("LOGISTICS_CARRIER_SECRETS", "")
    LOGISTICS_WEBHOOK_TOLERANCE_SECONDS = _env_int("LOGISTICS_WEBHOOK_TOLERANCE_SECONDS", 300)
    LOGISTICS_DRIVER_LINK_DAYS = _env_int("LOGISTICS_DRIVER_LINK_DAYS", 14)
    # Kuaidi100 tracking (docs/logistics-kuaidi100.md): on when KEY and SALT are set. KEY and CUSTOMER
    # come from the 快递100 企业版 account; SALT is a secret of ours from which each shipment's
    # subscription salt is derived (HMAC), so a salt that leaks signs pushes for one shipment only.
    # Pushes arrive at PUBLIC_BASE_URL/hooks/kuaidi100/<shipment id>. A subscription Kuaidi100 did not
    # take is retried after BASE × 2^(attempts-1) seconds (at most MAX) up to MAX_ATTEMPTS times; an
    # aborted one is sent again after RESUBSCRIBE_SECONDS (Kuaidi100 asks for half an hour).
    KUAIDI100_KEY = _env("KUAIDI100_KEY", "")
    KUAIDI100_CUSTOMER = _env("KUAIDI100_CUSTOMER", "")
    KUAIDI100_SALT = _env("KUAIDI100_SALT", "")
    KUAIDI100_BASE_URL = _env("KUAIDI100_BASE_URL", "https://poll.kuaidi100.com")
    KUAIDI100_TIMEOUT_SECONDS = _env_int("KUAIDI100_TIMEOUT_SECONDS", 10)
    KUAIDI100_MAX_ATTEMPTS = _env_int("KUAIDI100_MAX_ATTEMPTS", 8)
    KUAIDI100_RETRY_BASE_SECONDS = _env_int("KUAIDI100_RETRY_BASE_SECONDS", 60)
    KUAIDI100_RETRY_MAX_SECONDS = _env_int("KUAIDI100_RETRY_MAX_SECONDS", 6 * 60 * 60)
    KUAIDI100_RESUBSCRIBE_SECONDS = _env_int("KUAIDI100_RESUBSCRIBE_SECONDS", 30 * 60)

    # Notifications outbox (app/notify): a failed send is retried after BASE × 2^(attempts-1)
    # seconds (at most MAX), and given up ("dead") after MAX_ATTEMPTS. The worker takes BATCH_SIZE
    # rows at a time and sleeps WORKER_SLEEP seconds when nothing is due.
    NOTIFY_MAX_ATTEMPTS = _env_int("NOTIFY_MAX_ATTEMPTS", 6)
    NOTIFY_RETRY_BASE_SECONDS = _env_int("NOTIFY_RETRY_BASE_SECONDS", 30)
    NOTIFY_RETRY_MAX_SECONDS = _env_int("NOTIFY_RETRY_MAX_SECONDS", 6 * 60 * 60)
    NOTIFY_BATCH_SIZE = _env_int("NOTIFY_BATCH_SIZE", 100)
    # Claimed SMS of one template handed to the provider in one request (Aliyun's SendBatchSms
    # takes up to 100 numbers, Tencent's SendSms 200); 1 sends one by one.
    NOTIFY_SEND_BATCH_SIZE = _env_int("NOTIFY_SEND_BATCH_SIZE", 100)
    NOTIFY_WORKER_SLEEP_SECONDS = _env_int("NOTIFY_WORKER_SLEEP_SECONDS", 5)
    NOTIFY_PER_PAGE = _env_int("NOTIFY_PER_PAGE", 50)
    # Notification policy: no non-urgent SMS from QUIET_START:00 to QUIET_END:00 local time in
    # NOTIFY_TIMEZONE (held until QUIET_END); at most SMS_DAILY_CAP non-urgent SMS per member per
    # local day (the rest are recorded as "skipped").
    NOTIFY_TIMEZONE = _env("NOTIFY_TIMEZONE", "Asia/Shanghai")
    NOTIFY_QUIET_START = _env_int("NOTIFY_QUIET_START", 21)
    NOTIFY_QUIET_END = _env_int("NOTIFY_QUIET_END", 7)
    NOTIFY_SMS_DAILY_CAP = _env_int("NOTIFY_SMS_DAILY_CAP", 20)
    # Inbound SMS commands (/sms/inbound) per sending number per hour, counted in the message log so
    # every web process agrees; the first message over it gets a "try later" reply, the rest silence.
    SMS_INBOUND_PER_HOUR = _env_int("SMS_INBOUND_PER_HOUR", 30)
    MAIL_TIMEOUT_SECONDS = _env_int("MAIL_TIMEOUT_SECONDS", 20)

    # Outbox leases (issue 23): a worker holds the rows it claimed for NOTIFY_LEASE_SECONDS and renews
    # the lease when less than half is left, before each message; a row whose lease ran out (its
    # worker was killed) is taken by any worker. Keep it above twice the longest single send
    # (MAIL_TIMEOUT_SECONDS, Twilio's 15 s) and the clock skew between worker hosts; shorter means a
    # killed worker's rows wait less. NOTIFY_SENDING_TIMEOUT_SECONDS is its old name.
    NOTIFY_LEASE_SECONDS = _env_int("NOTIFY_LEASE_SECONDS", _env_int("NOTIFY_SENDING_TIMEOUT_SECONDS", 120))
    # PostgreSQL: the worker commits each outcome with synchronous_commit off (that transaction
    # only), so it does not wait for a disk flush per message. A worker killed at any moment loses
    # nothing; a crash of PostgreSQL itself may forget the outcomes of its last fraction of a
    # second, and those messages go out again when their lease ends (never lost). 0: wait.
    NOTIFY_ASYNC_COMMIT = _env_bool("NOTIFY_ASYNC_COMMIT", True)

    # Issue 25 — a farmer's phone on a rural link. Responses are compressed by Flask-Compress (brotli
    # when the browser accepts it, else gzip) when they are one of these types and at least
    # COMPRESS_MIN_SIZE bytes; COMPRESS_RESPONSES=0 leaves it to a proxy in front (deploy/nginx/).
    # Static URLs carry a content fingerprint and are cached for a year (app/web/static_files.py).
    COMPRESS_REGISTER = _env_bool("COMPRESS_RESPONSES", True)
    COMPRESS_MIMETYPES = [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    ]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # Static files are sent as streams; gzip too, for a browser without brotli.
    COMPRESS_ALGORITHM_STREAMING = ["br", "gzip"]
    COMPRESS_MIN_SIZE = _env_int("COMPRESS_MIN_SIZE", 500)
    COMPRESS_BR_LEVEL = _env_int("COMPRESS_BR_LEVEL", 5)
    COMPRESS_LEVEL = _env_int("COMPRESS_GZIP_LEVEL", 6)

    LOG_LEVEL = _env("LOG_LEVEL", "INFO")
    # "json": one JSON object per line with the request id (production default); "text" for a terminal.
    LOG_FORMAT = _env("LOG_FORMAT", "text")
    # One log line per request (method, path, status, duration) from the app, beside gunicorn's access log.
    LOG_REQUESTS = _env_bool("LOG_REQUESTS", False)
    # /healthz reports the age of the oldest notification waiting to be sent; older than this → 503,
    # so a load balancer or monitor notices a stopped notify worker.
    HEALTH_OUTBOX_LAG_SECONDS = _env_int("HEALTH_OUTBOX_LAG_SECONDS", 900)

    # Issue 23 — the edges: the client's address behind proxies, Redis failures, request sizes.
    # How many proxies in front of gunicorn append to X-Forwarded-For (nginx on the host: 1; Aliyun
    # SLB → nginx: 2). werkzeug's ProxyFix takes the client's address that many hops from the right,
    # so a visitor cannot choose their own by sending the header; 0 (development) ignores the header.
    # gunicorn never rewrites REMOTE_ADDR itself (FORWARDED_ALLOW_IPS only decides whom it believes
    # about https), so the hops are counted once.
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
    # Failed logins from one client address (LOGIN_RATE_LIMIT counts failed logins per account); more
    # generous, as a village info-station or a carrier's NAT puts many members behind one address.
    LOGIN_ADDRESS_RATE_LIMIT = _env("LOGIN_ADDRESS_RATE_LIMIT", "50 per minute;300 per hour")
    # When the limits' Redis does not answer, each worker keeps counting in its own memory (a warning
    # is logged; Redis is tried again after 2, 4, 8 … 32 s) instead of failing every limited page.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    # Request bodies (app/web/request_limits.py): ordinary forms, provider webhooks, and views marked
    # as taking one upload (a storefront logo, an identity document, a delivery photo); posting
    # photos keep MAX_CONTENT_LENGTH above. Larger requests get 413 before the body is read.
    MAX_FORM_BYTES = _env_int("MAX_FORM_BYTES", 1024 * 1024)
    MAX_WEBHOOK_BYTES = _env_int("MAX_WEBHOOK_BYTES", 256 * 1024)
    MAX_UPLOAD_BYTES = _env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024 + 1024 * 1024)
    # Fields of one form, urlencoded or multipart (werkzeug counts multipart only; we count both).
    # The largest real form, the station's numbers with one box per commodity, has ~75 today.
    MAX_FORM_PARTS = _env_int("MAX_FORM_PARTS", 500)
    # One multipart text field held in memory; the longest text field is 4,000 characters.
    MAX_FORM_MEMORY_SIZE = _env_int("MAX_FORM_MEMORY_SIZE", 100 * 1024)

    # Market prices (app/market): `flask market send-digests` sends the daily digest from this local
    # hour (TIMEZONE) on, once a day; a subscription without its own threshold is alerted when the
    # price moves more than MARKET_ALERT_PERCENT against the 7-day average. The open-data API is
    # rate-limited per client address.
    MARKET_DIGEST_HOUR = _env_int("MARKET_DIGEST_HOUR", 7)
    MARKET_ALERT_PERCENT = _env_int("MARKET_ALERT_PERCENT", 10)
    PRICES_API_RATE_LIMIT = _env("PRICES_API_RATE_LIMIT", "60 per minute")


class DevelopmentConfig(Config):
    DEBUG = _env_bool("FLASK_DEBUG", False)


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL", "sqlite://")
    TEST_DATABASE_URL = _env("TEST_DATABASE_URL")
    RATELIMIT_STORAGE_URI = "memory://"
    PAGE_CACHE_REDIS_URL = ""  # tests that share pages through Redis name their own database
    PUBLIC_BASE_URL = "http://jishi.test"
    # Webhook tests sign requests with this token (twilio.request_validator), never reaching Twilio.
    TWILIO_AUTH_TOKEN = "test-twilio-auth-token"
    # The mainland providers' callback tests put these in the URLs they post to.
    ALIYUN_SMS_CALLBACK_TOKEN = "test-aliyun-callback-token"
    TENCENT_SMS_CALLBACK_TOKEN = "test-tencent-callback-token"
    # No quiet hours and no practical daily cap, so that tests do not depend on the wall clock or
    # on how many messages an earlier step sent; tests/notify/test_policy*.py switch them on.
    NOTIFY_QUIET_START = 0
    NOTIFY_QUIET_END = 0
    NOTIFY_SMS_DAILY_CAP = 100_000
    # SMS budget (issue 23): tests send many codes and station SMS from one address; the budget
    # tests (tests/notify/test_sms_budget.py) set the sizes they test.
    SMS_BUDGET_NUMBER_PER_HOUR = SMS_BUDGET_NUMBER_PER_DAY = 1000
    SMS_BUDGET_PREFIX_PER_HOUR = SMS_BUDGET_PREFIX_PER_DAY = 1000
    SMS_BUDGET_ADDRESS_PER_HOUR = SMS_BUDGET_ADDRESS_PER_DAY = 1000
    SMS_BUDGET_STATION_PER_HOUR = SMS_BUDGET_STATION_PER_DAY = 1000
    SMS_BUDGET_SITE_PER_HOUR = SMS_BUDGET_SITE_PER_DAY = 10_000
    SMS_HUMAN_CHECK_AFTER_PER_ADDRESS = SMS_HUMAN_CHECK_AFTER_PER_PREFIX = 1000
    # Every view is written at once, so tests read counts right after a page; tests/postings/
    # test_view_buffer.py switches the buffer on.
    POSTING_VIEW_FLUSH_SECONDS = 0
    SAFETY_RECORD_CACHE_SECONDS = 0
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"
    CHROMIUM_PATH = _env("CHROMIUM_PATH", "/usr/bin/chromium")


class ProductionConfig(Config):
    LOG_FORMAT = _env("LOG_FORMAT", "json")
    LOG_REQUESTS = _env_bool("LOG_REQUESTS", True)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True

    @classmethod
    def check(cls) -> None:
        """Refuse to start without a real SECRET_KEY (the development default signs nothing safely)."""
        if not _env("SECRET_KEY") or cls.SECRET_KEY == DEVELOPMENT_SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[Config]:
    """Return the config class named by JISHI_ENV (development by default)."""
    return CONFIGS[_env("JISHI_ENV", "development")]


def bench_env(name: str, default: str | None = None) -> str | None:
    """Settings for the bench/ scripts, kept here so that config.py stays the only reader of os.environ."""
    return _env(name, default)


def gunicorn_settings() -> dict[str, object]:
    """Process settings for gunicorn.conf.py: PORT/HOST, WEB_CONCURRENCY workers, threads, timeout."""
    return {
        "bind": f"{_env('HOST', '127.0.0.1')}:{_env('PORT', '8000')}",
        "workers": _env_int("WEB_CONCURRENCY", 2),
        "threads": _env_int("GUNICORN_THREADS", 1),
        "timeout": _env_int("GUNICORN_TIMEOUT", 30),
        "forwarded_allow_ips": _env("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        "accesslog": _env("GUNICORN_ACCESS_LOG", "-"),
    }
