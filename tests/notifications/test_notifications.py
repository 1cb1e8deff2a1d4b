"""The outbox: what is queued (ready for pickup, approval needed, reminders), in which
language, and how it is sent: a real SMTP server (aiosmtpd in its own process)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from models import OutboxMessage, User, db, utcnow
from tests import factories
from tests.smtp_server import SmtpServer, free_port
from workshop.jobs import workflow
from workshop.notifications import cli as sender
from workshop.notifications import outbox as notifications


@pytest.fixture
def smtp(tmp_path):
    server = SmtpServer(tmp_path / "maildir").start()
    yield server
    server.stop()


def _user(staff, role):
    return db.session.get(User, staff[role])


def _messages(template=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return db.session.scalars(stmt).all()


def _qc_job(staff, **kwargs):
    """A job in QC, repaired by the engineer; QC is then done by someone else (the manager)."""
    sp = factories.service_point("SZ01")
    engineer = _user(staff, "engineer")
    job = factories.job(sp, status="qc", engineer=engineer, **kwargs)
    job.add_event("status", engineer, from_status="repairing", to_status="qc", data={"engineer_id": engineer.id})
    db.session.flush()
    return job


def test_qc_pass_queues_ready_for_pickup_in_the_customers_language(app, db, staff):
    app.config["PUBLIC_BASE_URL"] = "https://repair.example.com/"
    zh = _qc_job(staff, customer=factories.customer(phone="+8613911112222", name="李雷"),
                 warranty_chargeable=True, estimate_amount=Decimal("199.00"))
    en = _qc_job(staff, customer=factories.customer(phone="+447700900123", name="Ann Lee",
                                                    email="ann@example.com", locale="en"))
    manager = _user(staff, "manager")
    workflow.qc_pass(zh, manager)
    workflow.qc_pass(en, manager)
    first, second = _messages("ready_for_pickup")
    assert (first.job_id, first.channel, first.to_address, first.locale, first.status) == (
        zh.id, "sms", "+8613911112222", "zh_Hans", "queued")
    assert "取机" in first.body and zh.number in first.body and "¥199.00" in first.body
    assert (second.channel, second.to_address, second.locale) == ("email", "ann@example.com", "en")
    assert second.subject == f"Your handset is ready for pickup (job {en.number})"
    assert "Dear Ann Lee" in second.body
    assert f"https://repair.example.com/track/{en.number}" in second.body


def test_approval_needed_is_queued_when_the_estimate_goes_over_the_ceiling(db, staff):
    engineer = _user(staff, "engineer")
    job = factories.job(factories.service_point("SZ01"), status="diagnosing", engineer=engineer,
                        estimate_amount=Decimal("100.00"), estimate_ceiling=Decimal("150.00"),
                        customer=factories.customer(email="wf@example.com", locale="en"))
    workflow.record_diagnosis(job, engineer, findings="board short", estimate="380.00")
    assert job.status == "awaiting_approval"
    (message,) = _messages("approval_needed")
    assert message.job_id == job.id and "380.00" in message.body


def test_no_address_at_all_is_kept_visibly_as_no_channel(db, staff):
    job = factories.ready_job(factories.service_point("SZ01"), customer=factories.customer(phone="", name="X"))
    message = notifications.queue(job, "reminder", days=3)
    assert message.status == "no_channel" and message.last_error


def test_sending_through_a_real_smtp_server(app, db, staff, smtp):
    job = _qc_job(staff, customer=factories.customer(email="wang@example.com", name="王芳"))
    workflow.qc_pass(job, _user(staff, "manager"))
    db.session.commit()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, MAIL_FROM="counter@sz01.example")

    report = sender.send_pending()

    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    (received,) = smtp.messages()
    assert received["To"] == "wang@example.com" and received["From"] == "counter@sz01.example"
    assert received["X-Workshop-Job"] == job.number
    assert job.number in received["Subject"] and "取机" in received["Subject"]
    assert "王芳" in received.get_content()
    (message,) = _messages()
    assert message.status == "sent" and message.sent_at is not None and message.attempts == 1
    assert sender.send_pending().sent == 0  # nothing sent twice
    assert len(smtp.messages()) == 1


def test_without_smtp_messages_stay_queued(app, db, staff):
    job = factories.ready_job(factories.service_point("SZ01"), customer=factories.customer(email="a@example.com"))
    notifications.queue(job, "ready_for_pickup")
    db.session.commit()
    app.config.update(SMTP_HOST=None)
    report = sender.send_pending()
    assert report.sent == 0 and report.waiting == {"email": 1}
    assert _messages()[0].status == "queued" and _messages()[0].attempts == 0


def test_a_server_that_does_not_answer_is_retried_then_given_up(app, db, staff):
    job = factories.ready_job(factories.service_point("SZ01"), customer=factories.customer(email="a@example.com"))
    notifications.queue(job, "ready_for_pickup")
    db.session.commit()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)  # nobody listens there
    report = sender.send_pending()
    assert report.retrying == 1
    message = _messages()[0]
    assert message.status == "queued" and message.attempts == 1 and "Connection" in message.last_error
    assert message.next_attempt_at is not None
    # Not due yet: the next round leaves it alone; once due, it is tried until given up.
    assert sender.send_pending().retrying == 0
    later = utcnow() + dt.timedelta(days=2)
    for _ in range(notifications.MAX_ATTEMPTS - 1):
        sender.send_pending(now=later)
        later += dt.timedelta(days=2)
    db.session.refresh(message)
    assert message.status == "failed" and message.attempts == notifications.MAX_ATTEMPTS


def test_a_message_claimed_by_another_sender_is_not_sent_again(app, db, staff, smtp):
    job = factories.ready_job(factories.service_point("SZ01"), customer=factories.customer(email="a@example.com"))
    message = notifications.queue(job, "ready_for_pickup")
    db.session.commit()
    assert notifications.claim(message.id, utcnow())  # another worker got there first
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    assert sender.send_pending().sent == 0
    assert smtp.messages() == []


class RecordingSms:
    """An SMS gateway plug-in for the test (SMS_SENDER = "tests.notifications.test_notifications:RecordingSms")."""

    sent: list = []
    configured = True

    def __init__(self, config):
        self.config = config

    def send(self, to, body):
        RecordingSms.sent.append((to, body))


def test_sms_goes_through_the_plug_in_when_one_is_configured(app, db, staff):
    job = factories.ready_job(factories.service_point("SZ01"))
    notifications.queue(job, "ready_for_pickup")
    db.session.commit()
    assert sender.send_pending().waiting == {"sms": 1}  # no plug-in: stays queued
    app.config.update(SMS_SENDER="tests.notifications.test_notifications:RecordingSms")
    RecordingSms.sent.clear()
    assert sender.send_pending().sent == 1
    ((to, body),) = RecordingSms.sent
    assert to == "+8613800138000" and job.number in body


def test_reminders_after_the_configured_days_once_per_interval(db, staff):
    sp = factories.service_point("SZ01")
    sp.reminder_after_days = 5
    waiting = factories.ready_job(sp, ready_at=utcnow() - dt.timedelta(days=6))
    newer = factories.ready_job(sp, ready_at=utcnow() - dt.timedelta(days=2))  # not yet
    queued = notifications.queue_reminders()
    assert [m.job_id for m in queued] == [waiting.id]
    assert "6" in queued[0].body
    assert notifications.queue_reminders() == []  # idempotent
    later = utcnow() + dt.timedelta(days=5)  # 11 and 7 days: the second round, and the newer one's first
    assert sorted(m.job_id for m in notifications.queue_reminders(now=later)) == [waiting.id, newer.id]
    assert notifications.queue_reminders(now=later) == []


def test_cli_outbox_send_and_list(app, runner, staff, smtp):
    with app.app_context():
        job = factories.ready_job(factories.service_point("SZ01"),
                                  customer=factories.customer(email="cli@example.com", locale="en"))
        notifications.queue(job, "ready_for_pickup")
        db.session.commit()
        number = job.number
    result = runner.invoke(args=["outbox", "list"])
    assert result.exit_code == 0 and "queued" in result.output and number in result.output
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "SMTP_HOST is not set" in result.output
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "1 sent" in result.output
    assert [m["To"] for m in smtp.messages()] == ["cli@example.com"]
    result = runner.invoke(args=["outbox", "list", "--status", "sent"])
    assert number in result.output


def test_outbox_page_shows_queued_messages_and_sends(app, client, auth, staff, smtp):
    with app.app_context():
        job = factories.ready_job(factories.service_point("SZ01"),
                                  customer=factories.customer(email="page@example.com", locale="en"))
        notifications.queue(job, "ready_for_pickup")
        db.session.commit()
    auth.login("manager")
    page = client.get("/outbox").get_data(as_text=True)
    assert "page@example.com" in page and "not configured" in page and 'data-status="queued"' in page
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    client.post("/outbox/send")
    assert 'data-status="sent"' in client.get("/outbox").get_data(as_text=True)
    auth.logout()
    auth.login("receptionist")
    assert client.get("/outbox").status_code == 200
    assert client.post("/outbox/send").status_code == 403


def test_background_sender_sends_while_running(app, staff, smtp):
    with app.app_context():
        job = factories.ready_job(factories.service_point("SZ01"), customer=factories.customer(email="bg@example.com"))
        notifications.queue(job, "ready_for_pickup")
        db.session.commit()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port)
    thread = sender.start_background_sender(app, interval=0.2)
    try:
        import time

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not smtp.messages():
            time.sleep(0.1)
    finally:
        thread.stop.set()
        thread.join(timeout=5)
    assert [m["To"] for m in smtp.messages()] == ["bg@example.com"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "sent")) == 1


def test_no_background_sender_without_a_channel(app):
    app.config.update(SMTP_HOST=None, SMS_SENDER=None)
    assert sender.start_background_sender(app) is None


def test_a_failed_message_can_be_queued_again_from_the_outbox(app, client, auth, staff):
    with app.app_context():
        job = factories.ready_job(factories.service_point("SZ01"), customer=factories.customer(email="a@example.com"))
        message = notifications.queue(job, "ready_for_pickup")
        message.status, message.attempts, message.last_error = "failed", 5, "SMTPRecipientsRefused"
        db.session.commit()
        message_id = message.id
    auth.login("manager")
    assert client.post(f"/outbox/{message_id}/retry").status_code == 302
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert (message.status, message.attempts) == ("queued", 0)
        from models import AuditEvent

        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outbox.requeued"))
        assert (audit.subject_type, audit.subject_id, audit.details["status_was"]) == (
            "OutboxMessage", str(message_id), "failed")
