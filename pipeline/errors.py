"""The project's exceptions and the exit codes the command line maps them to (sysexits.h); nothing else raises
out of the library on purpose. Each message is one line a user can act on."""
from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1  # the answer is "something is wrong": prices check or doctor found problems, an unknown request id
EXIT_DATA = 65  # a refused file, rejects over the threshold, a stale source
EXIT_NOINPUT = 66  # an input path that does not exist
EXIT_MAIL = 69  # the mail server refused or could not be reached
EXIT_IOERR = 74  # the disk is full: nothing was committed
EXIT_INTERNAL = 70  # a bug: anything not listed here
EXIT_BUSY = 75  # another run holds the lock
EXIT_CONFIG = 78  # bad configuration


class SpendlogError(Exception):
    """Base of the project's exceptions: the command line prints `spendlog: <label>: <message>` and exits exit_code."""

    exit_code = EXIT_INTERNAL
    label = ""


class ConfigError(SpendlogError):
    """A bad configuration: one line naming the problem."""

    exit_code = EXIT_CONFIG
    label = "config"


class NewerHome(SpendlogError):
    """The home was written by a newer spendlog than this one."""

    exit_code = EXIT_CONFIG
    label = "home"


class Busy(SpendlogError):
    """Another spendlog process holds the lock."""

    exit_code = EXIT_BUSY
    label = "busy"


class MissingInput(SpendlogError):
    """A path given to ingest that does not exist."""

    exit_code = EXIT_NOINPUT


class FileError(SpendlogError):
    """A whole file is refused (DESIGN.md §4 file-level errors)."""

    exit_code = EXIT_DATA

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class MailError(SpendlogError):
    """The mail server could not be reached, refused the login or refused the message; the next run tries again."""

    exit_code = EXIT_MAIL
    label = "mail"


class WebhookError(MailError):
    """The alert webhook could not be reached or refused the post; the next run tries again."""

    label = "webhook"


class CatalogError(SpendlogError, ValueError):
    """A price catalogue (bundled or the user's) that cannot be used, or an unknown model to price as."""


class UserPricesError(CatalogError, ConfigError):
    """A bad `[prices] user_file`: a configuration error."""

    exit_code = EXIT_CONFIG


DISK_FULL_WORDS = ("No space left on device", "Disk quota exceeded")


def disk_full_message(exc: BaseException) -> str | None:
    """For a write that failed because the disk (or the quota) is full — an OSError ENOSPC/EDQUOT, or DuckDB's error
    for one — the one line to show; None for any other failure."""
    import errno

    if (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)) or any(
            word in str(exc) for word in DISK_FULL_WORDS):
        return ("disk: no space left on the device; nothing was committed, the home is as the last run left it: "
                "free some space and run again")
    return None
