"""The parts store (clerk, manager): requisition queue and issuing by scanning the bin,
receiving, stock take, transfers, the catalogue and its ledger, defective parts, CSV
import/export; and the parts panel of the job page (engineers request, return, log
the old part)."""
