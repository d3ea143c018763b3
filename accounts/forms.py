"""Signing up as a resident, asking for the activation link again, and signing in (which says
so when an account is still waiting for its link)."""

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import name_taken

SIGN_IN_NAME = _("Sign-in name")
ERROR_NAME_TAKEN = _("The sign-in name %(name)s is taken; choose another.")
ERROR_NAME_SPACES = _("The sign-in name cannot contain spaces; use _ or - instead.")
ERROR_NAME_CHARACTERS = _(
    "The sign-in name cannot contain %(characters)s: use letters (Chinese too), digits "
    "and @ . + - _ only."
)
# What Django's own username validator allows (\w is Unicode: Chinese characters are letters).
NAME_ALLOWED = re.compile(r"[\w.@+-]")
ERROR_NOT_ACTIVATED = _(
    "This account is not active yet: open the link we emailed to its address when you signed "
    "up. No email? Ask for the link again below."
)


def name_characters_check(value: str) -> None:
    """Refuse a sign-in name with characters Django's username rule would refuse, saying which."""
    if any(character.isspace() for character in value):
        raise ValidationError(ERROR_NAME_SPACES, code="spaces")
    refused = sorted({character for character in value if not NAME_ALLOWED.fullmatch(character)})
    if refused:
        shown = " ".join(f"“{character}”" for character in refused[:5])
        raise ValidationError(
            ERROR_NAME_CHARACTERS, code="characters", params={"characters": shown}
        )


class SignUpForm(BaseUserCreationForm):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send a link to this address; opening it activates your account."),
        max_length=254,
    )

    class Meta:
        model = User
        fields = ("username", "email", "display_name", "language")
        labels = {"username": SIGN_IN_NAME, "display_name": _("Name shown to others")}
        help_texts = {
            "username": _(
                "Up to 150 characters: letters (Chinese too), digits and @ . + - _ only."
            ),
            "display_name": _("Optional, for example 王老师 or 李阿姨."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django's validator says "letters, numbers and @/./+/-/_" (in Chinese: English letters)
        # for any refusal; ours says what was wrong, spaces first, as the help text puts it.
        self.fields["username"].validators = [name_characters_check]
        self.fields["username"].widget.attrs.update(autocomplete="username")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["display_name"].widget.attrs.update(autocomplete="nickname")

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip()
        if name_taken(username):
            raise ValidationError(ERROR_NAME_TAKEN, code="taken", params={"name": username})
        return username

    def validate_unique(self) -> None:
        """The name is checked above (a pending sign-up whose link expired gives it up)."""


class ResendForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SignInForm(AuthenticationForm):
    """Asks for the "sign-in name" as sign-up does (not Django's "username")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = SIGN_IN_NAME

    def get_invalid_login_error(self) -> ValidationError:
        # Django's message names the model field ("username"); say the word the form uses.
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"username": str(SIGN_IN_NAME).lower()},
        )

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and self._waiting_for_link():
                raise ValidationError(ERROR_NOT_ACTIVATED, code="not_activated") from error
            raise

    def _waiting_for_link(self) -> bool:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return False
        pending = User.objects.filter(
            username=username, is_active=False, signup_pending_since__isnull=False
        ).first()
        return pending is not None and pending.check_password(password)
