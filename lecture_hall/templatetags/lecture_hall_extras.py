"""Template helpers of the lecture hall pages: links to another page of a list."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], param: str, number: int) -> str:
    """The current address with `param` set to `number`, every other query parameter kept."""
    query = context["request"].GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()
