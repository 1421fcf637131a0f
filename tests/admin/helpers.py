"""Small steps the admin tests share."""

from __future__ import annotations

from sqlalchemy import func, select

from app.admin.models import AuditLog
from app.extensions import db


def audit_rows(action: str | None = None) -> list[AuditLog]:
    query = select(AuditLog).order_by(AuditLog.id)
    if action:
        query = query.where(AuditLog.action == action)
    return list(db.session.scalars(query))


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def suspend(client, login, admin, member, days="7", reason="Sold mouldy maize to three buyers", length="days"):
    login(admin)
    return client.post(f"/admin/members/{member.id}/suspend", data={"length": length, "days": days, "reason": reason})
