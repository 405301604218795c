from django.core.exceptions import ValidationError


def errori_nel_form(form, exc: ValidationError) -> None:
    """A service's ValidationError shown at the fields of the form that caused it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
