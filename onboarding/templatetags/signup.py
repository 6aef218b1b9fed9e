"""``{% signup_link %}``: the sign-in page's link to the public sign-up, shown only while it is open."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("onboarding/signup_link.html")
def signup_link():
    return {"signup_open": bool(settings.AIMS_SIGNUP_OPEN)}
