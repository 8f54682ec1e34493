"""Views that publish or run a task within a request."""

from django.http import JsonResponse

from tests.celery_app import report


def publish(request):
    queue = request.GET.get("queue")
    result = report.apply_async(queue=queue) if queue else report.apply_async()
    return JsonResponse({"task_id": result.id})


def run_eagerly(request):
    return JsonResponse(report.apply().get())
