"""The views of a typical DRF project, written as their authors write them.

The classes DRF reads from ``REST_FRAMEWORK`` when it is imported (renderers,
authenticators, permissions) are named on each view too: the same as
``tests.realapp.settings`` sets, so the schema generated in the test process, whose DRF
was imported under ``tests.settings``, is the one the real server serves.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django_filters.rest_framework import DjangoFilterBackend
from django_ratelimit.decorators import ratelimit
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.decorators import (
    action,
    api_view,
    authentication_classes,
    permission_classes,
    renderer_classes,
)
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, BasePermission, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from api_errors import Conflict, raises
from api_errors.limits import rate_limit
from api_errors.renderers import EnvelopeJSONRenderer
from tests.realapp.models import Project, Task
from tests.realapp.serializers import (
    FeedbackSerializer,
    ProjectNameSerializer,
    ProjectSerializer,
    ProjectSummarySerializer,
    TaskSerializer,
)

AUTHENTICATION = [BasicAuthentication, SessionAuthentication]
RENDERERS = [EnvelopeJSONRenderer]


class SmallPages(PageNumberPagination):
    page_size = 2


class IsOwner(BasePermission):
    message = "Only the project's owner can do this."

    def has_object_permission(self, request, view, obj):
        project = obj if isinstance(obj, Project) else obj.project
        return project.owner_id == request.user.pk


class ProjectViewSet(viewsets.ModelViewSet):
    """Anyone signed in reads projects; their owner changes them; owner or staff deletes."""

    queryset = Project.objects.select_related("owner").order_by("id")
    serializer_class = ProjectSerializer
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    renderer_classes = RENDERERS
    pagination_class = SmallPages
    filter_backends = [DjangoFilterBackend, SearchFilter, OrderingFilter]
    filterset_fields = ["archived", "owner"]
    search_fields = ["name"]
    ordering_fields = ["id", "name"]

    def get_permissions(self):
        if self.action == "destroy":
            return [IsAuthenticated(), (IsAdminUser | IsOwner)()]
        if self.action in {"update", "partial_update", "archive", "unarchive", "publish"}:
            return [IsAuthenticated(), IsOwner()]
        # list, retrieve, create, nudge: IsAuthenticated; check_name: its own AllowAny.
        return super().get_permissions()

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)

    def respond(self, project):
        return Response(self.get_serializer(project).data)

    # @raises below @action.
    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    @raises(Conflict)
    def archive(self, request, pk=None):
        project = self.get_object()
        if project.archived:
            raise Conflict("The project is archived already.")
        project.archived = True
        project.save(update_fields=["archived"])
        return self.respond(project)

    # @raises above @action.
    @raises(Conflict)
    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        project = self.get_object()
        if not project.archived:
            raise Conflict("The project is not archived.")
        project.archived = False
        project.save(update_fields=["archived"])
        return self.respond(project)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    @raises(Conflict)
    @rate_limit(group="publish", key="user", rate="2/m")
    def publish(self, request, pk=None):
        project = self.get_object()
        if project.archived:
            raise Conflict("An archived project cannot be published.")
        project.published = True
        project.save(update_fields=["published"])
        return self.respond(project)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    @method_decorator(ratelimit(key="ip", rate="2/m", block=True))
    def nudge(self, request, pk=None):
        """Remind the owner of a project: twice a minute from one address at most."""
        return self.respond(self.get_object())

    @extend_schema(request=ProjectNameSerializer, responses=ProjectNameSerializer)
    @action(
        detail=False,
        methods=["post"],
        url_path="check-name",
        permission_classes=[AllowAny],
        serializer_class=ProjectNameSerializer,
    )
    @raises(Conflict)
    def check_name(self, request):
        """Whether a name is free: 409 when a project has it. Open to anyone."""
        serializer = ProjectNameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if Project.objects.filter(name=serializer.validated_data["name"]).exists():
            raise Conflict("A project has this name.")
        return Response(serializer.data)


@method_decorator(ratelimit(key="ip", rate="2/m", block=True), name="complete")
class TaskViewSet(viewsets.ModelViewSet):
    """Tasks, paginated, with no filter: ``page`` is the list's only query parameter."""

    queryset = Task.objects.select_related("project").order_by("id")
    serializer_class = TaskSerializer
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = RENDERERS
    pagination_class = SmallPages
    filter_backends = []

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    @raises(Conflict)
    def complete(self, request, pk=None):
        task = self.get_object()
        if task.done:
            raise Conflict("The task is done already.")
        task.done = True
        task.save(update_fields=["done"])
        return Response(self.get_serializer(task).data)


# @raises above @api_view.
@raises(Conflict)
@extend_schema(responses=ProjectSummarySerializer)
@api_view(["GET"])
@authentication_classes(AUTHENTICATION)
@permission_classes([IsAuthenticated])
@renderer_classes(RENDERERS)
def project_summary(request, pk):
    project = get_object_or_404(Project, pk=pk)
    if project.archived:
        raise Conflict("An archived project has no summary.")
    tasks = project.tasks.all()
    return Response(
        {"name": project.name, "tasks": tasks.count(), "done": tasks.filter(done=True).count()}
    )


# @raises below @api_view. Open to anyone, session authentication included: CSRF applies.
@extend_schema(request=FeedbackSerializer, responses={201: FeedbackSerializer})
@api_view(["POST"])
@authentication_classes(AUTHENTICATION)
@permission_classes([AllowAny])
@renderer_classes(RENDERERS)
@raises(Conflict)
def feedback(request):
    serializer = FeedbackSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    digest = hashlib.sha256(serializer.validated_data["message"].encode()).hexdigest()
    if not cache.add(f"realapp-feedback:{digest}", True, timeout=60):
        raise Conflict("This feedback was sent already.")
    return Response(serializer.data, status=status.HTTP_201_CREATED)


class OwnedProjectView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    renderer_classes = RENDERERS

    @extend_schema(
        responses={
            200: ProjectSerializer,
            404: OpenApiResponse(description="No such project, or not yours."),
        }
    )
    def get(self, request, pk):
        project = get_object_or_404(Project, pk=pk, owner=request.user)
        return Response(ProjectSerializer(project).data)


class ProjectExportView(APIView):
    """The user's projects in one list, at the ``exports`` scope's rate."""

    authentication_classes = AUTHENTICATION
    permission_classes = [IsAuthenticated]
    renderer_classes = RENDERERS
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "exports"

    @extend_schema(responses=ProjectSerializer(many=True))
    def get(self, request):
        projects = Project.objects.filter(owner=request.user).order_by("id")
        return Response(ProjectSerializer(projects, many=True).data)
