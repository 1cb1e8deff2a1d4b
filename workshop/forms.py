"""Helpers shared by the HTML forms."""

from models import DomainError


def apply_domain_errors(form, exc: DomainError) -> None:
    """Show a domain error's per-field messages beside the form's fields."""
    placed = False
    for field_name, messages in (exc.errors or {}).items():
        field = getattr(form, field_name.split(".")[-1], None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.extend(messages)
            placed = True
    if not placed:
        form.form_errors.append(exc.message)
