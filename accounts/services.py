"""State changes for people: creating accounts with the right role and region, and residents
signing up on the site (an inactive account until the emailed link is opened)."""

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import Role, User
from accounts.tokens import activation_token


@transaction.atomic
def user_upsert(
    *,
    username: str,
    role: Role,
    password: str | None = None,
    password_hash: str | None = None,
    display_name: str = "",
    email: str = "",
    region_code: str | None = None,
    is_staff: bool = False,
) -> tuple[User, bool]:
    """Create or update an account; validated against the model's rules before it is saved.

    `password_hash` (from `make_password`) lets a caller creating many accounts hash once.
    """
    user = User.objects.filter(username=username).first()
    created = user is None
    if user is None:
        user = User(username=username)
    user.role = role
    user.display_name = display_name
    user.email = email
    user.region_id = region_code
    user.is_staff = is_staff
    if password_hash is not None:
        user.password = password_hash
    elif password is not None:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user, created


# --- Signing up on the site ------------------------------------------------------------------


def activation_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def pending_expired_before(now: dt.datetime | None = None) -> dt.datetime:
    """Pending sign-ups older than this can no longer be activated: their name and address
    are free for someone else."""
    return (now or timezone.now()) - activation_timeout()


def pending_signups_purge(*, now: dt.datetime | None = None) -> int:
    """Remove sign-ups whose activation link expired unopened; returns how many."""
    _total, per_model = User.objects.filter(
        is_active=False, signup_pending_since__lt=pending_expired_before(now)
    ).delete()
    return per_model.get(User._meta.label, 0)


def name_taken(username: str) -> bool:
    """A sign-in name is taken by any account but a pending sign-up whose link has expired."""
    return (
        User.objects.filter(username__iexact=username)
        .exclude(is_active=False, signup_pending_since__lt=pending_expired_before())
        .exists()
    )


@transaction.atomic
def resident_sign_up(
    *, username: str, email: str, password: str, display_name: str = "", language: str
) -> User | None:
    """An inactive resident account, activated by the link emailed to `email`.

    When an active account already has that address nothing is created and its owner is told
    by email instead; the caller shows the same page either way, so nobody learns whose address
    is registered. An earlier pending sign-up with the same address is replaced (the newest
    wins), and expired pending sign-ups give up their name and address.
    """
    from accounts import tasks

    now = timezone.now()
    email = User.objects.normalize_email(email.strip())
    pending = User.objects.filter(is_active=False, signup_pending_since__isnull=False)
    pending.filter(signup_pending_since__lt=pending_expired_before(now)).filter(
        Q(username__iexact=username) | Q(email__iexact=email)
    ).delete()
    owner = User.objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
    if owner is not None:
        tasks.send_already_registered.delay_on_commit(owner.pk)
        return None
    pending.filter(email__iexact=email).delete()
    user = User(
        username=username,
        email=email,
        display_name=display_name.strip(),
        language=language,
        role=Role.RESIDENT,
        is_active=False,
        signup_pending_since=now,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    tasks.send_activation.delay_on_commit(user.pk)
    return user


def signup_resend(*, email: str) -> bool:
    """Send the activation link again to a pending sign-up with this address, if there is one
    that has not expired. The caller answers the same either way."""
    from accounts import tasks

    user = (
        User.objects.filter(
            email__iexact=email.strip(),
            is_active=False,
            signup_pending_since__gte=pending_expired_before(),
        )
        .order_by("-signup_pending_since")
        .first()
    )
    if user is None:
        return False
    tasks.send_activation.delay(user.pk)
    return True


def activation_user(uidb64: str, token: str) -> User | None:
    """The pending account a link names, if the link is still good."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=False, signup_pending_since__isnull=False).first()
    if user is None or not activation_token.check_token(user, token):
        return None
    return user


@transaction.atomic
def resident_activate(*, uidb64: str, token: str) -> User | None:
    """Activate the account the link names; a used, replaced or expired link gives None."""
    user = activation_user(uidb64, token)
    if user is None:
        return None
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active or not activation_token.check_token(user, token):
        return None  # activated meanwhile by the same link in another tab
    user.is_active = True
    user.signup_pending_since = None
    user.save(update_fields=["is_active", "signup_pending_since"])
    return user


def activation_url(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = activation_token.make_token(user)
    path = reverse("accounts:activate", kwargs={"uidb64": uidb64, "token": token})
    return f"{str(settings.PUBLIC_BASE_URL).rstrip('/')}{path}"


def activation_send(*, user_id: int) -> bool:
    user = User.objects.filter(
        pk=user_id, is_active=False, signup_pending_since__isnull=False
    ).first()
    if user is None or not user.email:
        return False  # activated, replaced or removed since it was asked for
    _send(user, "activation", {"activate_url": activation_url(user)})
    return True


def already_registered_send(*, user_id: int) -> bool:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    base = str(settings.PUBLIC_BASE_URL).rstrip("/")
    _send(
        user,
        "already_registered",
        {
            "login_url": f"{base}{reverse('login')}",
            "reset_url": f"{base}{reverse('password_reset')}",
        },
    )
    return True


def _send(user: User, name: str, context: dict[str, object]) -> None:
    with translation.override(user.language):
        context = {"user": user, **context}
        subject = render_to_string(f"accounts/email/{name}_subject.txt", context)
        body = render_to_string(f"accounts/email/{name}.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.send()
