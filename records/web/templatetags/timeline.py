"""Timeline entries rendered with Jinja2 from the Django templates that list them.

Every timeline page shows 50 entries, each with its agency, vendors, technologies and sources: about
40 template variables an entry. Django's template language resolved them at about 0.4 ms an entry
(20 ms of a 35 ms page); the same markup compiled by Jinja2 to Python renders the 50 in about 2 ms.
Only the entries use Jinja2 (templates/jinja2/records/event_rows.html); pages stay Django templates.
"""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

from records.models.timeline import DOCUMENT_NOT_PUBLIC

register = template.Library()

ROWS_TEMPLATE = "records/event_rows.html"


@register.simple_tag
def event_rows(events, show_agency=False):
    """The entries as <li> items for an <ol class="timeline">; Jinja2 escapes every value it prints."""
    context = {"events": events, "show_agency": bool(show_agency), "DOCUMENT_NOT_PUBLIC": DOCUMENT_NOT_PUBLIC}
    rendered = engines["jinja2"].get_template(ROWS_TEMPLATE).render(context)
    return mark_safe(rendered)  # noqa: S308 - autoescaped by Jinja2 above


@register.simple_tag
def event_row(event, show_agency=False):
    return event_rows([event], show_agency)
