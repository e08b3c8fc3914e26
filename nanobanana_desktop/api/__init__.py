"""The HTTP client for the Nano Banana Pro API: httpx, dataclasses, typed errors, retries.

No Qt here: a script can use this package on its own.
"""

from .client import NanoBananaClient, RetryNotice
from .endpoint import DEFAULT_BASE_URL, ApiKey, is_loopback_host, normalize_base_url
from .errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    InsecureBaseUrlError,
    InsufficientCreditError,
    NanoBananaError,
    NetworkError,
    NotFoundError,
    OutcomeUnknownError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    RequestValidationError,
    ServerError,
    TransportError,
)
from .models import (
    ASPECT_RATIOS,
    DOCUMENTED_MODELS,
    IMAGE_SIZES,
    KNOWN_MODELS,
    MODELS_WITH_IMAGE_SIZE,
    GenerationRequest,
    TaskSnapshot,
    TaskStatus,
)
from .retry import RetryPolicy
from .validation import validate_request

__all__ = [
    "ASPECT_RATIOS",
    "DEFAULT_BASE_URL",
    "DOCUMENTED_MODELS",
    "IMAGE_SIZES",
    "KNOWN_MODELS",
    "MODELS_WITH_IMAGE_SIZE",
    "ApiError",
    "ApiKey",
    "AuthenticationError",
    "BadRequestError",
    "GenerationRequest",
    "InsecureBaseUrlError",
    "InsufficientCreditError",
    "NanoBananaClient",
    "NanoBananaError",
    "NetworkError",
    "NotFoundError",
    "OutcomeUnknownError",
    "ProtocolError",
    "RateLimitedError",
    "RequestTimeoutError",
    "RequestValidationError",
    "RetryNotice",
    "RetryPolicy",
    "ServerError",
    "TaskSnapshot",
    "TaskStatus",
    "TransportError",
    "is_loopback_host",
    "normalize_base_url",
    "validate_request",
]
