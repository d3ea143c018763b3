"""The one-time link that activates an account someone signed up for on the site.

Django's password-reset tokens with their own salt: the hash covers the account's activity and
pending stamp, so a link stops working once it has been used (or a newer sign-up replaced the
account), and `PASSWORD_RESET_TIMEOUT` (three days) after it was made.
"""

from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.ActivationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        pending = user.signup_pending_since.isoformat() if user.signup_pending_since else ""
        return f"{user.pk}{user.password}{user.is_active}{pending}{timestamp}"


activation_token = ActivationTokenGenerator()
