from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-token/", views.api_token_renew, name="api_token_renew"),
    path("login/code/", views.second_factor_verify, name="second_factor_verify"),
    path("profile/two-step/start/", views.second_factor_start, name="second_factor_start"),
    path("profile/two-step/set-up/", views.second_factor_setup, name="second_factor_setup"),
    path("profile/two-step/off/", views.second_factor_disable, name="second_factor_disable"),
]
