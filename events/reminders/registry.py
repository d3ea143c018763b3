"""What events knows about tag owners it cannot import: names and who to tell of changes.

Events never imports the apps above it, yet a tag such as "lecturer:12" belongs to one of them.
The owning app registers, in its `AppConfig.ready()`, how to name its tags on reminder pages and
which users (by primary key) get the change notice of an event carrying them:

    tag_kind_register(
        "lecturer",
        label=lambda ids: dict(Lecturer.objects.filter(pk__in=ids).values_list("pk", "name")),
        notice_user_ids=lambda ids: list(
            Lecturer.objects.filter(pk__in=ids).values_list("user_id", flat=True)
        ),
    )

Without a registration a tag still works: it is named "Lecturer 12" and only people with
reminder requests get the notices.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

Labeller = Callable[[Sequence[int]], dict[int, str]]
UserIdsFinder = Callable[[Sequence[int]], Sequence[int]]

FALLBACK_LABELS = {
    "lecturer": _("Lecturer %(id)s"),
    "series": _("Series %(id)s"),
}


@dataclass(frozen=True)
class TagKind:
    label: Labeller | None = None
    notice_user_ids: UserIdsFinder | None = None


_kinds: dict[str, TagKind] = {}


def tag_kind_register(
    prefix: str, *, label: Labeller | None = None, notice_user_ids: UserIdsFinder | None = None
) -> None:
    """Register (or replace) how tags "<prefix>:<id>" are named and whom their changes reach."""
    _kinds[prefix] = TagKind(label=label, notice_user_ids=notice_user_ids)


def tag_kind_unregister(prefix: str) -> None:
    _kinds.pop(prefix, None)


def _split(tags: Sequence[str]) -> dict[str, list[int]]:
    by_prefix: dict[str, list[int]] = {}
    for tag in tags:
        prefix, _sep, raw = tag.partition(":")
        if raw.isdigit():
            by_prefix.setdefault(prefix, []).append(int(raw))
    return by_prefix


def tag_labels(tags: Sequence[str]) -> dict[str, str]:
    """A display name for each tag, in the active language."""
    names: dict[str, str] = {}
    for prefix, ids in _split(tags).items():
        kind = _kinds.get(prefix)
        found = kind.label(ids) if kind and kind.label else {}
        for tag_id in ids:
            fallback = FALLBACK_LABELS.get(prefix)
            default = str(fallback % {"id": tag_id}) if fallback else f"{prefix}:{tag_id}"
            names[f"{prefix}:{tag_id}"] = found.get(tag_id) or default
    return names


def notice_user_ids(tags: Sequence[str]) -> set[int]:
    """Users the owners of these tags want told when an event carrying them changes."""
    found: set[int] = set()
    for prefix, ids in _split(tags).items():
        kind = _kinds.get(prefix)
        if kind and kind.notice_user_ids:
            found.update(int(i) for i in kind.notice_user_ids(ids))
    return found
