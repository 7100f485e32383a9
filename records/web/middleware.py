import logging

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
