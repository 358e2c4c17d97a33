"""One error hierarchy for both back ends: a `StrataError` carries the code and message of the CLI's or the server's error.

The server answers errors as `{"error": {"code", "message"}}` with a 4xx/5xx status; the CLI, run with
`STRATA_ERROR_FORMAT=json`, prints the same code (and `what`, `where`, `fix`) as one JSON line on stderr and exits 1, or
exits 64 for bad usage. Both map to the same subclass, so `except NotFoundError` works whichever store you talk to.
"""
from __future__ import annotations

import json
from typing import Any, Mapping, Optional


class StrataError(Exception):
    """An error reported by Strata (the CLI or the server), or by the client about talking to it.

    Attributes:
        code: the machine-readable code, e.g. ``unknown_object``, ``bad_spine``, ``body_too_large``.
        message: what went wrong and, when known, how to fix it.
        status: the HTTP status the server answered (or would answer, for a CLI error), if any.
        exit_code: the CLI's exit code (1 failure, 64 bad usage), for a CLI error.
        where: the file and line the error points at, when the CLI names one.
        fix: how to fix it, when the CLI says.
    """

    def __init__(self, code: str, message: str, *, status: Optional[int] = None, exit_code: Optional[int] = None,
                 where: Optional[str] = None, fix: Optional[str] = None) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.exit_code = exit_code
        self.where = where
        self.fix = fix


class InvalidRequestError(StrataError):
    """The request is malformed or names options that do not fit (HTTP 400/415, CLI exit 64)."""


class NotFoundError(StrataError):
    """An unknown feature service, view, feature, source or training set (HTTP 404)."""


class UnauthorizedError(StrataError):
    """The server wants `Authorization: Bearer <token>` and did not get the right one (HTTP 401)."""


class LimitExceededError(StrataError):
    """A request or spine over one of the server's limits (HTTP 413); the message names the setting that raises it."""


class ConflictError(StrataError):
    """A training set cannot be reproduced as recorded: its spine changed, or the bytes differ (HTTP 409)."""


class BusyError(StrataError):
    """The store is busy (too many requests at once, a writer holds the lock); retrying later may succeed (HTTP 503)."""


class StorageFullError(StrataError):
    """The store's disk or LMDB map is full (HTTP 507)."""


class ServerError(StrataError):
    """An internal failure in Strata (HTTP 500); details are in the server's log or the CLI's message."""


class ConnectionFailedError(StrataError):
    """The client could not reach Strata: no `strata` binary, no server at the URL, or a stream cut short."""


_BY_CODE = {
    "unknown_object": NotFoundError,
    "unknown_feature": NotFoundError,
    "unknown_training_set": NotFoundError,
    "no_such_route": NotFoundError,
    "spine_too_large": LimitExceededError,
    "body_too_large": LimitExceededError,
    "too_many_rows": LimitExceededError,
    "too_large": LimitExceededError,
    "spine_changed": ConflictError,
    "reproduction_differs": ConflictError,
    "busy": BusyError,
    "not_ready": BusyError,
    "storage_full": StorageFullError,
    "unauthorized": UnauthorizedError,
    "usage": InvalidRequestError,
}

_BY_STATUS = {400: InvalidRequestError, 401: UnauthorizedError, 404: NotFoundError, 409: ConflictError,
              413: LimitExceededError, 415: InvalidRequestError, 503: BusyError, 507: StorageFullError}


def error_for(code: str, message: str, *, status: Optional[int] = None, exit_code: Optional[int] = None,
              where: Optional[str] = None, fix: Optional[str] = None) -> StrataError:
    """The `StrataError` subclass for a code (first) or an HTTP status."""
    cls = _BY_CODE.get(code) or (_BY_STATUS.get(status) if status is not None else None)
    if cls is None:
        cls = ServerError if status is not None and status >= 500 else InvalidRequestError if code.startswith("bad_") else StrataError
    return cls(code, message, status=status, exit_code=exit_code, where=where, fix=fix)


def from_http(status: int, body: bytes) -> StrataError:
    """The error a server answer stands for: its JSON `{"error": {"code", "message"}}`, or the status alone."""
    try:
        error: Mapping[str, Any] = json.loads(body.decode("utf-8"))["error"]
        return error_for(str(error["code"]), str(error["message"]), status=status)
    except (ValueError, KeyError, TypeError):
        text = body.decode("utf-8", "replace").strip()[:500]
        return error_for(f"http_{status}", text or f"the server answered {status}", status=status)


def from_cli(exit_code: int, stderr: str) -> StrataError:
    """The error a failed `strata` command stands for: its JSON error line (STRATA_ERROR_FORMAT=json), its usage
    message (exit code 64), or its last stderr lines."""
    for line in reversed(stderr.strip().splitlines()):
        if line.startswith('{"error"'):
            try:
                error = json.loads(line)["error"]
            except (ValueError, KeyError):
                break
            status = error.get("status")
            return error_for(error.get("code", "error"), error.get("message", line), status=int(status) if status else None,
                             exit_code=exit_code, where=error.get("where"), fix=error.get("fix"))
    text = stderr.strip()
    if exit_code == 64:
        first = next((l for l in text.splitlines() if l.strip()), "bad usage")
        return InvalidRequestError("usage", first.removeprefix("Error: "), exit_code=exit_code)
    return StrataError("error", text[-2000:] or f"strata exited with {exit_code}", exit_code=exit_code)
