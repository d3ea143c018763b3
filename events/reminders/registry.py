"""What events knows about tag owners it cannot import: names, pages and who to tell of changes.

Events never imports the apps above it, yet a tag such as "lecturer:12" belongs to one of them.
The owning app registers, in its `AppConfig.ready()`, how to name its tags on reminder and
calendar pages, where each one's own page is, and which users (by primary key) get the change
notice of an event carrying them:

    tag_kind_register(
        "lecturer",
        label=lambda ids: dict(Lecturer.objects.filter(pk__in=ids).values_list("pk", "name")),
        url=lambda pk: reverse("lecture_hall:lecturer", kwargs={"pk": pk}),
        notice_user_ids=lambda ids: list(
            Lecturer.objects.filter(pk__in=ids).values_list("user_id", flat=True)
        ),
    )

Without a registration a tag still works: it is named "Lecturer 12", links nowhere, and only
people with reminder requests get the notices.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

Labeller = Callable[[Sequence[int]], dict[int, str]]
UserIdsFinder = Callable[[Sequence[int]], Sequence[int]]
UrlMaker = Callable[[int], str]

FALLBACK_LABELS = {
    "lecturer": _("Lecturer %(id)s"),
    "series": _("Series %(id)s"),
}


@dataclass(frozen=True)
class TagKind:
    label: Labeller | None = None
    notice_user_ids: UserIdsFinder | None = None
    url: UrlMaker | None = None


_kinds: dict[str, TagKind] = {}


def tag_kind_register(
    prefix: str,
    *,
    label: Labeller | None = None,
    notice_user_ids: UserIdsFinder | None = None,
    url: UrlMaker | None = None,
) -> None:
    """Register (or replace) how tags "<prefix>:<id>" are named, where their pages are and whom
    their changes reach."""
    _kinds[prefix] = TagKind(label=label, notice_user_ids=notice_user_ids, url=url)


def tag_kind(prefix: str) -> TagKind | None:
    """What is registered for "<prefix>:<id>" tags (tests put it back after replacing it)."""
    return _kinds.get(prefix)


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


def tag_urls(tags: Sequence[str]) -> dict[str, str]:
    """The page of each tag whose owner says where it is; tags without one are left out."""
    urls: dict[str, str] = {}
    for prefix, ids in _split(tags).items():
        kind = _kinds.get(prefix)
        if kind and kind.url:
            for tag_id in ids:
                urls[f"{prefix}:{tag_id}"] = kind.url(tag_id)
    return urls


def notice_user_ids(tags: Sequence[str]) -> set[int]:
    """Users the owners of these tags want told when an event carrying them changes."""
    found: set[int] = set()
    for prefix, ids in _split(tags).items():
        kind = _kinds.get(prefix)
        if kind and kind.notice_user_ids:
            found.update(int(i) for i in kind.notice_user_ids(ids))
    return found
