"""Printed documents: device tag labels, customer receipts, batches."""
