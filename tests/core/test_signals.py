"""job_moved: the workflow tells the lower domains, which listen in the same transaction."""

from __future__ import annotations

from workshop.core.signals import job_moved


def test_the_parts_ledger_the_outbox_and_aftercare_listen_to_moves(app):
    listeners = {f"{r.__module__}.{r.__name__}" for r in job_moved.receivers_for(object())}
    assert listeners == {"workshop.parts.ledger._release_when_closed",
                         "workshop.notifications.outbox._tell_customer",
                         "workshop.aftercare.followups._on_job_moved"}
