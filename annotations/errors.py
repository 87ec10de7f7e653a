"""Errors raised by services. The API maps each to one status in one exception handler."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message, *, field=None, code="invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def as_dict(self):
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}


class InvalidInput(ServiceError):
    status = 400


class PermissionDenied(ServiceError):
    """The wrong person: 403."""

    status = 403


class Conflict(ServiceError):
    """The object's state forbids it: 409."""

    status = 409


class PreconditionFailed(ServiceError):
    """The client's version (If-Match) is stale: 412."""

    status = 412
