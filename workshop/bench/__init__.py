"""The bench: engineers' queue, the managers' bench board, and the workbench panel on
the job page (diagnosis, repair, QC, the customer's approval, assignment)."""
