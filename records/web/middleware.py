import logging

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Answer 503 with a friendly page, not 500, while the database cannot be reached.

    Persistent connections are health-checked (CONN_HEALTH_CHECKS), so once the database is back the
    next request reconnects by itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable: %s", exception)
        response = HttpResponse(render_to_string("503.html", request=None), status=503)
        response["Retry-After"] = "30"
        return response


class NulInQueryMiddleware:
    """Refuse a NUL byte in any query-string value with the site's 400 page.

    PostgreSQL text cannot hold NUL, so a filter or name look-up passing one on to a query would end in a 500;
    no real value contains it, so one check here covers every filter, cursor and look-up.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
            raise BadRequest("A value in the address contains a NUL byte.")
        return self.get_response(request)
