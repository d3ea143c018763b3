from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup_sent"),
    path("signup/resend/", views.signup_resend_view, name="signup_resend"),
    path("activate/<str:uidb64>/<str:token>/", views.activate, name="activate"),
]
