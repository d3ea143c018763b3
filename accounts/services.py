"""State changes for people: creating accounts with the right role and region."""

from django.db import transaction

from accounts.models import Role, User


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
