from django.forms.renderers import TemplatesSetting


class BootstrapItaliaRenderer(TemplatesSetting):
    """Forms and fields in Bootstrap Italia markup, errors tied to their field."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
