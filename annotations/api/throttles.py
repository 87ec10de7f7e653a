from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    """THROTTLE_ANON, read per request: DRF's own classes freeze their rates at import, which
    would make the setting impossible to change in a running test or a settings override."""

    def get_rate(self):
        return settings.THROTTLE_ANON


class UserThrottle(UserRateThrottle):
    def get_rate(self):
        return settings.THROTTLE_USER
