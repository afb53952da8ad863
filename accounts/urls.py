from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

import crisisdesk.converters  # noqa: F401 - registers the <id:...> converter
from accounts import security_log_views, two_factor_views, views
from accounts.forms import PasswordResetForm

urlpatterns = [
    path("login/", two_factor_views.LoginView.as_view(), name="login"),
    path("login/code/", two_factor_views.login_code, name="login-code"),
    path("two-factor/", two_factor_views.setup, name="two-factor-setup"),
    path("two-factor/remove/", two_factor_views.remove, name="two-factor-remove"),
    path("two-factor/recovery-codes/", two_factor_views.recovery_codes, name="two-factor-recovery-codes"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.language_switch, name="language"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("password_change_done")
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    # Forgotten passwords, and the invitation of a new member, which links to the same page.
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("organizations/<slug:slug>/members/", views.members, name="members"),
    path(
        "organizations/<slug:slug>/security-log/",
        security_log_views.security_log_page,
        name="security-log",
    ),
    path(
        "organizations/<slug:slug>/security-log.csv",
        security_log_views.security_log_csv,
        name="security-log-csv",
    ),
    path(
        "organizations/<slug:slug>/members/<id:user_pk>/remove/",
        views.member_remove,
        name="member-remove",
    ),
]
