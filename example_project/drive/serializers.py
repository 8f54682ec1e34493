from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from example_project.drive.models import Connector, DriveItem


class DriveItemSerializer(serializers.ModelSerializer[DriveItem]):
    """Input and output of ``/api/drive/items/``; the file's content is only written here."""

    # The stubs mistake a field named "parent" for Field.parent (the enclosing serializer).
    parent = serializers.PrimaryKeyRelatedField(  # type: ignore[assignment]
        queryset=DriveItem.objects.all(), allow_null=True, required=False
    )
    # Declared, so no unique validator is derived from the model's constraints (DRF does on
    # Django 4.2): a name taken in the folder is a Conflict raised by the view.
    name = serializers.CharField(max_length=DriveItem._meta.get_field("name").max_length)
    content = serializers.CharField(
        write_only=True, required=False, allow_blank=True, trim_whitespace=False
    )

    class Meta:
        model = DriveItem
        fields = ["id", "parent", "name", "kind", "state", "content", "created_at"]
        read_only_fields = ["state", "created_at"]
        # A name taken in the folder is a Conflict raised by the view, not a validation error.
        validators: list[Any] = []

    def validate_name(self, value: str) -> str:
        name = value.strip()
        if name in {".", ".."} or "/" in name or not name.isprintable():
            raise serializers.ValidationError(
                _("Names cannot contain '/' or control characters, or be '.' or '..'.")
            )
        return name

    def validate_parent(self, value: DriveItem | None) -> DriveItem | None:
        if value is not None and not value.is_folder:
            raise serializers.ValidationError(_("The parent must be a folder."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == DriveItem.Kind.FOLDER and attrs.get("content"):
            raise serializers.ValidationError({"content": _("Folders have no content.")})
        return attrs


class FolderQuerySerializer(serializers.Serializer[Any]):
    parent = serializers.IntegerField(required=False, min_value=1)  # type: ignore[assignment]


class ImportSerializer(serializers.Serializer[Any]):
    connector = serializers.ChoiceField(choices=Connector.choices)


SEARCH_QUERY_MAX_LENGTH = 200


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=SEARCH_QUERY_MAX_LENGTH)


class ImportResultSerializer(serializers.Serializer[Any]):
    connector = serializers.CharField()
    state = serializers.CharField()


class SearchHitSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]


class SearchResultSerializer(serializers.Serializer[Any]):
    query = serializers.CharField()
    results = SearchHitSerializer(many=True)
