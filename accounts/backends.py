"""Authentication backends: django-axes' lockout check, tolerant of in-process calls without a request."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """Refuses sign-in while the username/address pair is locked out (django-axes).

    Every sign-in over HTTP (the sign-in page, the API token exchange, the password change form) passes the
    request; a call without one comes from code in the process (a management command, a test) where there is
    no client address to lock out, so it is let through to the password check instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
