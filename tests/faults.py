"""Deliberately broken pieces: a middleware that raises and a pipeline that cannot render."""

from api_errors.pipeline import ErrorPipeline
from tests.views import SECRET


class RaisingMiddleware:
    """Raises on every request, below ``APIErrorsMiddleware`` in ``MIDDLEWARE``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise RuntimeError(SECRET)


class RespondFailsPipeline(ErrorPipeline):
    """Its rendering step always fails, so the fallback response must take over."""

    def respond(self, error, request):
        raise ValueError("rendering broke")
