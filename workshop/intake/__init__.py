"""Front-desk intake (受理): taking a handset in, the customer, and the handset itself
(``devices``: IMEI, the TAC table, the blocked register)."""
