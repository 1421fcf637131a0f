"""Production refuses to start with the development secret and starts with a real one."""

from __future__ import annotations

import json

import pytest

import config
from app import create_app


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", config.DEVELOPMENT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config.ProductionConfig)


def test_production_starts_with_a_secret_key_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-from-the-environment")
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "a-real-secret-from-the-environment")
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'p.db'}")
    monkeypatch.setattr(config.ProductionConfig, "UPLOAD_DIR", str(tmp_path / "uploads"))
    app = create_app(config.ProductionConfig)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/healthz")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_sms_template_codes_come_from_the_variable_or_else_the_instance_file(monkeypatch, tmp_path):
    codes = {"aliyun": {"phone_code": "SMS_460800001"}, "tencent": {"phone_code": "1843210"}}
    path = tmp_path / "codes.json"
    path.write_text(json.dumps(codes), encoding="utf-8")
    monkeypatch.delenv("SMS_TEMPLATE_CODES", raising=False)
    monkeypatch.setenv("SMS_TEMPLATE_CODES_FILE", str(path))
    assert config._sms_template_codes() == codes
    monkeypatch.setenv("SMS_TEMPLATE_CODES", '{"aliyun": {"order_paid": "SMS_1"}}')
    assert config._sms_template_codes() == {"aliyun": {"order_paid": "SMS_1"}}
    monkeypatch.setenv("SMS_TEMPLATE_CODES", '{"aliyun": "SMS_1"}')
    with pytest.raises(ValueError, match="provider"):
        config._sms_template_codes()
    monkeypatch.delenv("SMS_TEMPLATE_CODES")
    monkeypatch.setenv("SMS_TEMPLATE_CODES_FILE", str(tmp_path / "missing.json"))
    assert config._sms_template_codes() == {}
