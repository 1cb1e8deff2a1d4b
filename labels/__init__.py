"""Barcodes and printable PDFs for the workshop: plain data in, PDF bytes out.

Device tag labels, part-bin labels and customer receipts (intake and
pickup). Nothing here knows about Flask or the database: callers pass
dataclasses of strings, dates and decimals and get the bytes of a PDF whose
page is exactly the paper it will be printed on. See docs/LABELS.md.
"""

from .captions import CAPTION_SETS, EN, ZH, resolve_captions
from .code128 import MIN_MODULE_MM, PRINTER_DPIS, QUIET_ZONE_MODULES
from .receipts import (
    BillLine,
    Customer,
    Handset,
    IntakeReceipt,
    Payment,
    PickupReceipt,
    Receipt,
    ReceiptBase,
    ServicePoint,
    WarrantyDecision,
    receipt_pdf,
)
from .stock import LABEL_SIZES, RECEIPT_FORMATS, LabelStock, ReceiptFormat
from .tags import (
    IMEI_RE,
    JOB_NUMBER_RE,
    SKU_RE,
    TAG_LAYOUTS,
    BinLabel,
    TagLabel,
    bin_labels_pdf,
    tag_labels_pdf,
)
from .text import mask_imei, mask_phone

__all__ = [
    "CAPTION_SETS",
    "EN",
    "IMEI_RE",
    "JOB_NUMBER_RE",
    "LABEL_SIZES",
    "MIN_MODULE_MM",
    "PRINTER_DPIS",
    "QUIET_ZONE_MODULES",
    "RECEIPT_FORMATS",
    "SKU_RE",
    "TAG_LAYOUTS",
    "ZH",
    "BillLine",
    "BinLabel",
    "Customer",
    "Handset",
    "IntakeReceipt",
    "LabelStock",
    "Payment",
    "PickupReceipt",
    "Receipt",
    "ReceiptBase",
    "ReceiptFormat",
    "ServicePoint",
    "TagLabel",
    "WarrantyDecision",
    "bin_labels_pdf",
    "mask_imei",
    "mask_phone",
    "receipt_pdf",
    "resolve_captions",
    "tag_labels_pdf",
]
