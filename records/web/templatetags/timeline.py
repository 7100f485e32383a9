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


@register.simple_tag(takes_context=True)
def event_rows(context, events, show_agency=False, in_year=False, own_page=False):
    """The entries as <li> items for an <ol class="timeline">; Jinja2 escapes every value it prints. Staff see
    which entries the public cannot. `in_year`: under a heading of their year; `own_page`: the entry's own page,
    whose heading already gives its title and date."""
    rows_context = {
        "events": events,
        "show_agency": bool(show_agency),
        "in_year": bool(in_year),
        "own_page": bool(own_page),
        "show_hidden": bool(context.get("is_staff_member")),
        "DOCUMENT_NOT_PUBLIC": DOCUMENT_NOT_PUBLIC,
    }
    rendered = engines["jinja2"].get_template(ROWS_TEMPLATE).render(rows_context)
    return mark_safe(rendered)  # noqa: S308 - autoescaped by Jinja2 above


@register.simple_tag(takes_context=True)
def event_row(context, event, show_agency=False, own_page=False):
    return event_rows(context, [event], show_agency, own_page=own_page)
