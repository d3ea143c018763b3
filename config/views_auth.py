"""The sign-in page: Django's LoginView with the platform's sign-in form, sending a resident
who signed in without a `next` to My calendar (their follows, stars and reminders) while
coordinators, lecturers and Ministry staff keep the home page and its links to their work."""

from django.conf import settings
from django.contrib.auth.views import LoginView
from django.shortcuts import resolve_url

from accounts.forms import SignInForm
from accounts.models import Role


class SignInView(LoginView):
    authentication_form = SignInForm

    def get_default_redirect_url(self) -> str:
        user = self.request.user
        if getattr(user, "role", None) == Role.RESIDENT and not user.is_staff:
            return resolve_url("my-calendar")
        return resolve_url(self.next_page or settings.LOGIN_REDIRECT_URL)
