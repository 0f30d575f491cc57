"""gzip for JSON and text answers above 1 KB; stored files and event streams go as they are."""

from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.types import ASGIApp

# Attachments are PDF, Office (already zip) or images, served with ranges and strong ETags: compressing
# them costs CPU for nothing and would give one ETag two representations.
_FILES = (
    "application/pdf",
    "application/octet-stream",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


def compression(app: ASGIApp) -> GZipMiddleware:
    """A first sync of a member's device is about 58 KB of JSON and 8 KB gzipped; phones on weak networks
    feel the difference. Level 6: most of level 9's gain for a fraction of its CPU."""
    return GZipMiddleware(app, minimum_size=1024, compresslevel=6,
                          exclude_content_types=DEFAULT_EXCLUDED_CONTENT_TYPES + _FILES)
