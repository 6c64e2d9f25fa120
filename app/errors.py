"""Refusals of a request that passed its schema: each names the field and the rule it breaks.

Raised by the run config's checks (`runconfig.enforce_limits`, an output that does not fit the
task), by the data sources and by uploads; the HTTP app answers them with an `ErrorResponse`,
the WebSocket session with an `error` message, the CLI with one line naming the flag.
"""

from __future__ import annotations

from typing import Any


class RequestError(ValueError):
    """A request that passed the schema but cannot be served: names the field and the rule."""

    def __init__(
        self,
        field: str,
        rule: str,
        message: str,
        limit: int | float | None = None,
        **where: Any,
    ):
        self.field, self.rule, self.limit = field, rule, limit
        self.where = where
        """Where in a file the problem is, e.g. row=3, column="x2" (data files only)."""
        super().__init__(message)

    def item(self) -> dict[str, Any]:
        """As one entry of an error body's `errors`."""
        item = {"field": self.field, "rule": self.rule, "message": str(self), "limit": self.limit}
        return {**item, **self.where}

    def at(self, prefix: str) -> RequestError:
        """The same error with its field under `prefix` (e.g. "config.")."""
        error = type(self).__new__(type(self))
        RequestError.__init__(
            error, prefix + self.field, self.rule, str(self), self.limit, **self.where
        )
        error.setting = getattr(self, "setting", None)
        return error


class LimitExceededError(RequestError):
    """A request within the schema's bounds but over this server's `Settings` limits.

    `setting` names the `Settings` field that sets the limit (e.g. "max_units"), when one does:
    the CLI says which `NNPLAY_*` variable raises it."""

    def __init__(
        self, field: str, limit: int | float, message: str, setting: str | None = None
    ) -> None:
        super().__init__(field, "limit", message, limit)
        self.setting = setting


class TooLargeError(LimitExceededError):
    """A file over the server's size limit: answered with HTTP 413 rather than 422."""
