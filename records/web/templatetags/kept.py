"""{% kept "name" key %}…{% endkept %}: a part of a page rendered once for the public while the records stay the same.

The side panels of the agency and vendor pages show aggregates the public's cache already keeps
(records/web/public_cache.py), but rendering them (100 agencies, a map, two charts with their tables) still
cost more than the rest of the page: about 30 ms of the vendor page's 70. For readers who get kept
aggregates the rendered HTML is kept with them, under the same date and content token; staff always get
it rendered afresh. What is inside must depend on nothing but the key (and the records): never on the
query string or on who is reading beyond public or staff.
"""

from django import template

from records.web.public_cache import public_cached

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, parts):
        self.nodelist, self.parts = nodelist, parts

    def render(self, context):
        request = context.get("request")
        if request is None:  # rendered outside a request (e.g. render_to_string without one): nothing to key on
            return self.nodelist.render(context)
        key = ":".join(str(part.resolve(context)) for part in self.parts)
        return public_cached(request, f"fragment:{key}", lambda: self.nodelist.render(context))


@register.tag
def kept(parser, token):
    parts = token.split_contents()[1:]
    if not parts:
        raise template.TemplateSyntaxError('{% kept %} needs a key: {% kept "name" value … %}')
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, [parser.compile_filter(part) for part in parts])
