"""HTML forms of the parts store and of the parts panel on the job page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from models.parts import AdjustmentReason, DefectiveStatus, PartCategory, WarrantyCategory

CATEGORY_LABELS = {
    PartCategory.SCREEN: _l("Screen"),
    PartCategory.BATTERY: _l("Battery"),
    PartCategory.CHARGING_PORT: _l("Charging port"),
    PartCategory.CAMERA: _l("Camera"),
    PartCategory.BACK_COVER: _l("Back cover"),
    PartCategory.SPEAKER: _l("Speaker"),
    PartCategory.BOARD: _l("Board"),
    PartCategory.ADHESIVE: _l("Adhesive"),
    PartCategory.OTHER: _l("Other"),
}
WARRANTY_LABELS = {
    WarrantyCategory.MANUFACTURER: _l("Manufacturer (old part goes back for credit)"),
    WarrantyCategory.SUPPLIER: _l("Supplier (DOA goes back to the supplier)"),
    WarrantyCategory.NONE: _l("None (consumable)"),
}
REASON_LABELS = {
    AdjustmentReason.DAMAGED: _l("Damaged"),
    AdjustmentReason.LOST: _l("Lost"),
    AdjustmentReason.FOUND: _l("Found"),
    AdjustmentReason.CORRECTION: _l("Correction"),
    AdjustmentReason.STOCK_TAKE: _l("Stock take"),
}
DEFECTIVE_LABELS = {
    DefectiveStatus.KEPT: _l("Kept"),
    DefectiveStatus.SENT: _l("Sent back"),
    DefectiveStatus.CREDITED: _l("Credited"),
}
_QTY = [InputRequired(), NumberRange(min=1, max=9999)]


class PartForm(FlaskForm):
    sku = StringField(_l("SKU"), validators=[DataRequired(), Length(max=40)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    category = SelectField(_l("Category"), choices=[SelectChoice(c.value, label) for c, label in CATEGORY_LABELS.items()])
    brand = StringField(_l("Brand"), validators=[Length(max=80)])
    compatible_models = TextAreaField(_l("Compatible models (one per line)"), render_kw={"rows": 3})
    bin_location = StringField(_l("Bin location"), validators=[Length(max=40)])
    cost = StringField(_l("Cost"), default="0.00")
    price = StringField(_l("Price"), validators=[DataRequired()])
    warranty_category = SelectField(_l("Warranty category"),
                                    choices=[SelectChoice(c.value, label) for c, label in WARRANTY_LABELS.items()],
                                    default=WarrantyCategory.SUPPLIER.value)
    reorder_point = IntegerField(_l("Reorder point"), default=0, validators=[Optional(), NumberRange(min=0)])
    safety_stock = IntegerField(_l("Safety stock"), default=0, validators=[Optional(), NumberRange(min=0)])
    serial_tracked = BooleanField(_l("Serial numbers tracked (board-level parts)"))
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))

    def data_for_service(self) -> dict:
        return {
            "sku": self.sku.data, "name": self.name.data, "category": self.category.data,
            "brand": self.brand.data or "", "compatible_models": self.compatible_models.data or "",
            "bin_location": self.bin_location.data or "", "cost": self.cost.data or "0",
            "price": self.price.data, "warranty_category": self.warranty_category.data,
            "reorder_point": self.reorder_point.data or 0, "safety_stock": self.safety_stock.data or 0,
            "serial_tracked": bool(self.serial_tracked.data), "active": bool(self.active.data),
        }


class ReceiveForm(FlaskForm):
    code = StringField(_l("Scan or type SKU / bin"), validators=[DataRequired(), Length(max=60)])
    qty = IntegerField(_l("Quantity"), default=1, validators=_QTY)
    unit_cost = StringField(_l("Unit cost (optional)"))
    serials = TextAreaField(_l("Serial numbers (serial-tracked parts, one per unit)"), render_kw={"rows": 2})
    note = StringField(_l("Delivery note / supplier"), validators=[Length(max=200)])
    submit = SubmitField(_l("Receive"))


class AdjustForm(FlaskForm):
    delta = IntegerField(_l("Change (+ found, − missing)"), validators=[InputRequired()])
    reason = SelectField(_l("Reason"), choices=[SelectChoice(r.value, label) for r, label in REASON_LABELS.items()
                                                if r != AdjustmentReason.STOCK_TAKE])
    note = StringField(_l("Note"), validators=[Length(max=200)])
    serials = TextAreaField(_l("Serial numbers (serial-tracked parts)"), render_kw={"rows": 2})
    submit = SubmitField(_l("Record adjustment"))


class StockTakeForm(FlaskForm):
    """The counted quantities come as ``count-<part id>`` / ``serials-<part id>`` fields."""

    shelf = HiddenField()
    note = StringField(_l("Note"), validators=[Length(max=200)])
    submit = SubmitField(_l("Record count"))


class TransferForm(FlaskForm):
    code = StringField(_l("SKU or bin"), validators=[DataRequired(), Length(max=60)])
    qty = IntegerField(_l("Quantity"), default=1, validators=_QTY)
    to_service_point = SelectField(_l("To service point"), coerce=int)
    serials = TextAreaField(_l("Serial numbers (serial-tracked parts)"), render_kw={"rows": 2})
    note = StringField(_l("Note"), validators=[Length(max=200)])
    submit = SubmitField(_l("Send"))


class ScanForm(FlaskForm):
    """Issuing by scanning: each scan (bin label, SKU or a unit's serial) picks a line."""

    code = StringField(_l("Scan bin label"), validators=[DataRequired(), Length(max=60)])
    scanned = HiddenField()
    submit = SubmitField(_l("Scan"))


class IssueForm(FlaskForm):
    scanned = HiddenField()
    submit = SubmitField(_l("Issue all"))


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Length(max=200)])
    submit = SubmitField(_l("Confirm"))


def _sku_text(value):
    return value.strip().upper() if isinstance(value, str) else value


class RequestLineForm(Form):
    # Typed or scanned (the job page suggests matches as one types, see part_options):
    # the catalogue is never listed in the page.  The domain refuses an unknown SKU.
    sku = StringField(_l("Part"), filters=[_sku_text], validators=[Length(max=40)])
    qty = IntegerField(_l("Qty"), default=1, validators=[Optional(), NumberRange(min=1, max=99)])


class RequestForm(FlaskForm):
    line1 = FormField(RequestLineForm, label="")
    line2 = FormField(RequestLineForm, label="")
    line3 = FormField(RequestLineForm, label="")
    note = StringField(_l("Note for the store"), validators=[Length(max=200)])
    submit = SubmitField(_l("Request parts"))

    @property
    def line_forms(self):
        return [self.line1, self.line2, self.line3]

    def lines(self) -> list[dict]:
        return [{"sku": f.sku.data, "qty": f.qty.data if f.qty.data is not None else 1}
                for f in self.line_forms if f.sku.data]


class ReturnForm(FlaskForm):
    qty = IntegerField(_l("Qty"), default=1, validators=_QTY)
    serials = StringField(_l("Serials"))
    description = StringField(_l("What is wrong"), validators=[Length(max=200)])
    submit = SubmitField(_l("Return"))


class OldPartForm(FlaskForm):
    sku = SelectField(_l("Part it was replaced by"), choices=[], validate_choice=False)
    serial = StringField(_l("Serial / marking"), validators=[Length(max=60)])
    description = StringField(_l("Description"), validators=[Length(max=200)])
    submit = SubmitField(_l("Log old part"))


class DefectiveUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, label) for s, label in DEFECTIVE_LABELS.items()])
    reference = StringField(_l("RMA / credit note"), validators=[Length(max=80)])
    credit_amount = StringField(_l("Credit amount"))
    submit = SubmitField(_l("Update"))


class ImportForm(FlaskForm):
    file = FileField(_l("Catalogue CSV"), validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("A CSV file."))])
    submit = SubmitField(_l("Import"))
