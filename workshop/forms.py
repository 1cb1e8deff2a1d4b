"""Helpers shared by the HTML forms."""

from models import DomainError


def apply_domain_errors(form, exc: DomainError, mapping: dict | None = None) -> None:
    """Show a domain error's per-field messages beside the form's fields.

    ``mapping`` sends an error key to a field whose name differs (e.g. ``lines.1.qty``
    to the quantity field); other keys go to the field named like their last part, and
    anything left over shows at the top of the form.
    """
    mapping = mapping or {}
    placed = False
    for field_name, messages in (exc.errors or {}).items():
        field = mapping.get(field_name) or getattr(form, field_name.split(".")[-1], None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.extend(messages)
            placed = True
    if not placed:
        form.form_errors.append(exc.message)
