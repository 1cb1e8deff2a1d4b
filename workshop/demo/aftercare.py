"""Demo after-sales data: two handsets handed back (so each has its pickup follow-up
call), one call answered happy, and one complaint registered and answered, so the
after-sales screens and the manager's figures have something to show on a new
install.  Made through the real services; flushes only."""

from __future__ import annotations

from models import Job, User
from workshop.aftercare import complaints, followups
from workshop.jobs import receipt_stub
from workshop.pickup import collection


def hand_back(job: Job, desk: User) -> None:
    """Collect ``job`` as the counter would: stub scan, the exact balance paid."""
    balance = collection.bill(job).balance
    payment = collection.PaymentInput(method="cash", amount=balance) if balance else None
    collection.collect(job, desk, verification=collection.Verification(
        method="stub", stub_code=receipt_stub.stub_code(job)), payment=payment)


def seed_demo(*, happy: Job, unhappy: Job, desk: User, manager: User) -> list[str]:
    """``happy`` and ``unhappy`` are jobs ready for pickup; returns lines for the notes."""
    hand_back(happy, desk)
    hand_back(unhappy, desk)
    for call in followups.for_job(happy):
        followups.record(call, desk, outcome="reached", satisfaction=5, fixed=True,
                         comment="很满意，修得很快")
    complaint = complaints.register(desk, complaints.NewComplaint(
        channel="phone", category="delay", job=unhappy.number, customer_name="",
        description="取机比承诺日期晚了两天，没有人提前通知。",
        demand="希望说明原因并减免检测费"))
    complaints.respond(complaint, manager, "已致电顾客致歉，说明配件到货延误；明天回复处理方案。")
    return [(f"Demo after-sales: {happy.number} and {unhappy.number} collected (pickup calls queued, "
             f"one answered), complaint {complaint.number} open and answered.")]
