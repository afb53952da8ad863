from rest_framework import serializers

from accounts.models import Membership, Organization, User


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ("id", "name", "slug", "two_factor_required")
        read_only_fields = ("id", "name", "slug")


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ("id", "username", "full_name", "language")


class MembershipSerializer(serializers.ModelSerializer):
    organization = OrganizationSerializer()

    class Meta:
        model = Membership
        fields = ("organization", "is_admin")


class MeSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True)

    class Meta:
        model = User
        fields = ("id", "username", "full_name", "language", "time_zone", "email", "memberships")


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(
        required=False,
        max_length=32,
        help_text="With two-factor sign-in: the code from the authenticator app, or a recovery code.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class MemberSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ("user", "username", "full_name", "email", "is_admin")
        read_only_fields = fields


class MemberAddSerializer(serializers.Serializer):
    """Who to add: found by e-mail, or a new account with this name and language."""

    email = serializers.EmailField(max_length=254)
    full_name = serializers.CharField(max_length=150)
    language = serializers.ChoiceField(choices=User.Language.choices, required=False)
    is_admin = serializers.BooleanField(required=False)
