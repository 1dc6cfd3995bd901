"""Requests that no view should see, answered before any view runs."""

from django.http import JsonResponse


class RejectNulInPathMiddleware:
    """A NUL character in the path gets a 400 at once.

    No address of the site holds one, and PostgreSQL refuses NUL in text: a lookup such
    as /api/sources/a%00b/ would otherwise end in a database error (500). NUL in query
    parameters is left to the filters, whose form fields refuse it with the field's name.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return JsonResponse({"detail": "The address contains a NUL character."}, status=400)
        return self.get_response(request)
