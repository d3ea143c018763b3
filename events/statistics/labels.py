"""English glosses of the attachment's labels (shown beside the Chinese ones on English pages)
and the figures the national view can chart and map."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from events.models import ActivityType
from events.statistics.compute import cell

TYPE_GLOSSES: dict[str, Promise] = {str(value): label for value, label in ActivityType.choices}
READING_GLOSS = _("National reading")
CORNER_GLOSS = _("Activity")
PROVINCIAL_GLOSS = _("Held at provincial level?")
LEVEL_GLOSSES = {
    "prefecture": _("Cities at prefecture level and above"),
    "county": _("County-level cities"),
}
MEASURE_GLOSSES = {
    "cities": _("Number of cities"),
    "activities": _("Number of activities"),
    "participants": _("Participants (person-times)"),
}
HEADER_GLOSSES = {
    "header.prefecture_cities": _("Prefecture-level-and-above cities taking part"),
    "header.county_cities": _("County-level cities taking part"),
}
CONTACT_GLOSSES = {
    "contact_name": _("Contact person"),
    "contact_department": _("Department"),
    "office_phone": _("Office phone"),
    "mobile": _("Mobile phone"),
}

# What the national view maps and charts: a measure over both levels, or one level's.
FIGURES: dict[str, Promise] = {
    "activities": _("Activities (prefecture and county levels)"),
    "participants": _("Participants, person-times (prefecture and county levels)"),
    "cities": _("Cities taking part (prefecture and county levels)"),
    "prefecture_activities": _("Activities at prefecture level and above"),
    "prefecture_participants": _("Participants at prefecture level and above"),
    "county_activities": _("Activities at county level"),
    "county_participants": _("Participants at county level"),
}
DEFAULT_FIGURE = "activities"
ALL_TYPES = "all"


def cell_gloss(key: str) -> str:
    """The English words for a cell: Themed reading activities · County-level cities ·
    Participants (person-times)."""
    found = cell(key)
    if found is None:
        return key
    if found.activity_type is None:
        return str(HEADER_GLOSSES[key])
    if found.measure == "held":
        row = str(PROVINCIAL_GLOSS)
    else:
        row = f"{LEVEL_GLOSSES[found.level]} · {MEASURE_GLOSSES[found.measure]}"
    return f"{TYPE_GLOSSES[found.activity_type]} · {row}"
