"""Signals: how a lower domain hears of a higher one's changes without importing it."""

from blinker import Namespace

_signals = Namespace()

#: Sent by jobs.workflow.move after the move is flushed, in the same transaction.
#: sender: the Job; keyword arguments: event (JobEvent), actor (User), from_status (str), to_status (str).
job_moved = _signals.signal("job-moved")
