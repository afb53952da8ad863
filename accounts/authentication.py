from rest_framework import authentication, exceptions

from accounts import two_factor


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, refusing (403) the token of someone who must set up two-factor
    sign-in first: the token was had with a password alone."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if two_factor.setup_required(user):
            raise exceptions.PermissionDenied(two_factor.REQUIRED_MESSAGE)
        return user, token
