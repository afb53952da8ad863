from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from monitoring.models import Source


class SourceTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`: a source's own ingest token, good for posting its mentions only."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after “Bearer”."))
        source = (
            Source.objects.filter(ingest_token=header[1].decode(errors="replace"), is_active=True)
            .select_related("organization")
            .first()
        )
        if source is None:
            raise exceptions.AuthenticationFailed(_("Unknown or inactive source token."))
        return AnonymousUser(), source

    def authenticate_header(self, request):
        return self.keyword


class SourceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "monitoring.authentication.SourceTokenAuthentication"
    name = "sourceToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A source's ingest token (mentions only)."}
