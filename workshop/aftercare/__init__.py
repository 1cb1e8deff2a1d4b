"""After-sales: complaints, remedies, agreements, follow-ups and the contact log."""
