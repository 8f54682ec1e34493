from rest_framework import serializers

from tests.realapp.models import Project, Task


class ProjectSerializer(serializers.ModelSerializer):
    owner = serializers.ReadOnlyField(source="owner.username")

    class Meta:
        model = Project
        fields = ["id", "name", "owner", "archived", "published"]
        read_only_fields = ["published"]


class ProjectNameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)


class ProjectSummarySerializer(serializers.Serializer):
    name = serializers.CharField()
    tasks = serializers.IntegerField()
    done = serializers.IntegerField()


class TaskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "project", "title", "done"]


class FeedbackSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=500)
