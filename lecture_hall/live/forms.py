"""The lecturer panel's announcement form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lecture_hall.live.protocol import ANNOUNCEMENT_MAX_CHARS


class AnnouncementForm(forms.Form):
    text = forms.CharField(
        label=_("Announcement to everyone in the room"),
        max_length=ANNOUNCEMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Up to 500 characters. Everyone watching sees it at once."),
    )
