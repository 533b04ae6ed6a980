"""Request timing and request ids."""
import time
import uuid


class TimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Elapsed"] = f"{time.monotonic() - started:.3f}"
        return response


def request_id_middleware(get_response):
    def middleware(request):
        request.request_id = uuid.uuid4().hex
        return get_response(request)

    return middleware
