"""Printed documents: from a job to the plain data ``labels`` lays out (``documents``,
which also logs every print) and the pages that serve them: device tag labels,
customer receipts, batches."""
