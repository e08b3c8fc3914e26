"""The typed errors of the API client.

Every message is written for a person: it says what happened and what to do. No
message, repr or attribute ever holds the API key.
"""

from __future__ import annotations

from ..messages import translatable

# "prompt: write a prompt that describes the image"; the UI translates both parts.
_FIELD_MESSAGE = translatable("RequestErrors", "{field}: {message}")


class NanoBananaError(Exception):
    """Base of every error this client raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class RequestValidationError(NanoBananaError, ValueError):
    """A request was refused before anything was sent."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(_FIELD_MESSAGE.format(field=field, message=message))
        self.field = field


class InsecureBaseUrlError(NanoBananaError, ValueError):
    """The base URL would send the key in clear text, or is not a URL at all."""


class ApiError(NanoBananaError):
    """The API answered, and the answer is an error.

    ``status`` is the HTTP status, ``code`` the envelope's code when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        server_message: str | None = None,
        detail: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.server_message = server_message
        self.detail = detail
        # The server's Retry-After hint in seconds, when it sent one (429 and 503 do).
        self.retry_after = retry_after


class BadRequestError(ApiError):
    """400: the server refused the parameters; ``detail`` says which."""


class AuthenticationError(ApiError):
    """401/403: the key is missing, wrong, expired or revoked."""


class InsufficientCreditError(ApiError):
    """402: the account cannot pay for this."""


class NotFoundError(ApiError):
    """404: the task or the endpoint does not exist."""


class RateLimitedError(ApiError):
    """429: too many requests; ``retry_after`` is the server's hint in seconds."""


class ServerError(ApiError):
    """5xx, 408 or 409: the server failed; retrying later may work."""


class ProtocolError(ApiError):
    """The answer is not what the contract promises (HTML, no envelope, an unknown status)."""


class TransportError(NanoBananaError):
    """No usable answer arrived: the network failed or timed out."""


class NetworkError(TransportError):
    """The connection failed or was dropped."""


class RequestTimeoutError(TransportError):
    """The server did not answer in time."""


class OutcomeUnknownError(TransportError):
    """A generation request was sent but no answer came back.

    The server may have created (and will charge for) the task. Resending would risk a
    second charge, so the client never does it on its own.
    """
