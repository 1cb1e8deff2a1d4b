"""Pickup (取机): the counter where a handset goes back to its owner (``collection``: the
bill, verifying the customer, payment), the list of handsets waiting to be collected,
pickup receipts, the loaner pool (``loaners``) and the outbox page."""
