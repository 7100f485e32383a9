from django.db import DatabaseError, connection
from django.http import JsonResponse


def healthz(request):
    """200 when the app can reach its database, 503 when it cannot (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "degraded", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
