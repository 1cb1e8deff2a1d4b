"""Pickup (取机): the counter where a handset goes back to its owner, the list of
handsets waiting to be collected, pickup receipts, the loaner pool and the outbox."""
