"""Errors of the service layer, each answered as problem+json.

ServiceError
 ├── BodyError      an import body that cannot be read on (not the expected format, a row over the
 │                  size limit, broken JSON, the upload cut): 400, or 413 over the size limit
 ├── MappingError   CSV columns that cannot be mapped to product fields, or a malformed mapping: 422
 └── ImportFailed   an import stopped by one of the above after it was created: carries its id, so the
                    rows accepted before the error can still be followed at /v1/imports/{id}
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base class; status and title become the problem's."""

    status = 500
    title = "Internal Server Error"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class BodyError(ServiceError):
    status = 400
    title = "Unreadable body"

    def __init__(self, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.status = status
        if status == 413:
            self.title = "Content Too Large"


class MappingError(ServiceError):
    status = 422
    title = "Unprocessable content"


class ImportFailed(ServiceError):
    def __init__(self, import_id: str, cause: ServiceError) -> None:
        super().__init__(cause.detail)
        self.import_id = import_id
        self.status = cause.status
        self.title = cause.title
