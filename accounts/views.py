"""Pages for signing up as a resident: the form, "check your email", asking for the link again,
and the link itself (a button, so mail scanners that open links do not use it up)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import ratelimit
from accounts.forms import ResendForm, SignUpForm
from accounts.services import activation_user, resident_activate, resident_sign_up, signup_resend

SESSION_EMAIL = "accounts_signup_email"


def _too_many(request: HttpRequest, template: str, form: object) -> HttpResponse:
    error = _("Too many sign-ups from your address in the last hour; try again in an hour.")
    return render(request, template, {"form": form, "limit_error": error}, status=429)


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    language = "en" if (request.LANGUAGE_CODE or "").startswith("en") else "zh-hans"
    form = SignUpForm(request.POST or None, initial={"language": language})
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(request, "signup"):
            return _too_many(request, "accounts/signup.html", form)
        data = form.cleaned_data
        resident_sign_up(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            display_name=data.get("display_name") or "",
            language=data["language"],
        )
        request.session[SESSION_EMAIL] = data["email"]
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET", "HEAD"])
def signup_sent(request: HttpRequest) -> HttpResponse:
    context = {
        "email": request.session.get(SESSION_EMAIL, ""),
        "mail_to_files": settings.DEBUG and "filebased" in settings.MAILERS["default"]["BACKEND"],
    }
    return render(request, "accounts/signup_sent.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def signup_resend_view(request: HttpRequest) -> HttpResponse:
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not ratelimit.allow(request, "signup"):
            return _too_many(request, "accounts/resend.html", form)
        signup_resend(email=form.cleaned_data["email"])
        request.session[SESSION_EMAIL] = form.cleaned_data["email"]
        return redirect("accounts:signup_sent")
    return render(request, "accounts/resend.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    if request.method == "GET":
        user = activation_user(uidb64, token)
        return render(
            request, "accounts/activate.html", {"validlink": user is not None, "account": user}
        )
    user = resident_activate(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "accounts/activate.html", {"validlink": False}, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(SESSION_EMAIL, None)
    messages.success(
        request,
        _(
            "Welcome, %(name)s: your account is active. Here you follow regions and lecturers "
            "in a calendar of your own."
        )
        % {"name": user},
    )
    return redirect("my-calendar")
