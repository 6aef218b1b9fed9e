"""Django's PostgreSQL backend, with a health check of persistent connections that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` on a reused connection at the start of every request that
touches the database, so that a connection the server closed since (a restart, ``pg_terminate_backend``, an idle
timeout) is replaced instead of failing the request. That is one more round trip for every API request and every
page (the API's token query is otherwise its first).

When the server closes a connection it says so on the socket: an ``ErrorResponse`` (FATAL) and the end of the
stream, or a reset when the process died. A healthy idle connection has nothing to read (the previous answer was
read to its end). So a socket with nothing to read, polled without waiting, is taken as usable; one with anything
to read (a FATAL, end of stream, or an asynchronous notice) gets Django's ``SELECT 1`` as before. What neither
check can see quickly, a peer that vanished without a word (a network partition), is not made worse: ``SELECT 1``
would wait on it as long as the request's own query does.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError):  # the socket is gone
            return False
        if not readable:
            return True
        return super().is_usable()
