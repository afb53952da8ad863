"""The post-mortem API: its text (PUT), its figures (read-only), action items, apply to playbook."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from incidents.api import R400, R403, R404, IncidentScoped
from incidents.models import ActionItem
from incidents.serializers import (
    ActionItemSerializer,
    ApplySerializer,
    PostMortemSerializer,
    PostMortemWriteSerializer,
)
from incidents.services import postmortem as services
from playbooks.serializers import RevisionSerializer


class PostMortemView(IncidentScoped, APIView):
    @extend_schema(responses={200: PostMortemSerializer, 404: R404})
    def get(self, request, incident_pk):
        return Response(PostMortemSerializer(self.incident.postmortem).data)

    @extend_schema(
        request=PostMortemWriteSerializer,
        responses={200: PostMortemSerializer, 400: R400, 403: R403, 404: R404},
    )
    def put(self, request, incident_pk):
        self.require("edit_postmortem")
        serializer = PostMortemWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        postmortem = services.postmortem_update(
            incident=self.incident, acting_user=request.user, **serializer.validated_data
        )
        return Response(PostMortemSerializer(postmortem).data)


class ActionItemsView(IncidentScoped, APIView):
    @extend_schema(responses={200: ActionItemSerializer(many=True), 404: R404})
    def get(self, request, incident_pk):
        items = self.incident.postmortem.action_items.all()
        return Response(ActionItemSerializer(items, many=True).data)

    @extend_schema(
        request=ActionItemSerializer, responses={201: ActionItemSerializer, 400: R400, 403: R403, 404: R404}
    )
    def post(self, request, incident_pk):
        self.require("edit_postmortem")
        serializer = ActionItemSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        item = services.action_item_create(
            incident=self.incident, acting_user=request.user, **serializer.validated_data
        )
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ApplyToPlaybookView(IncidentScoped, APIView):
    @extend_schema(
        request=ApplySerializer,
        responses={201: RevisionSerializer(many=True), 400: R400, 403: R403, 404: R404},
    )
    def post(self, request, incident_pk):
        self.require("edit_postmortem")
        serializer = ApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = set(serializer.validated_data["items"])
        items = list(
            ActionItem.objects.filter(postmortem__incident=self.incident, pk__in=ids).select_related(
                "playbook", "postmortem"
            )
        )
        if len(items) != len(ids):
            raise ValidationError({"items": ["Unknown action items for this incident."]})
        revisions = services.action_items_apply(incident=self.incident, acting_user=request.user, items=items)
        return Response(RevisionSerializer(revisions, many=True).data, status=status.HTTP_201_CREATED)
