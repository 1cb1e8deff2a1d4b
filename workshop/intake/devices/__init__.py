"""The handset itself: IMEI checks, the TAC table (IMEI -> brand and model) and the
blocked register; their pages (views) and the IMEI API."""
