"""Anthropic Message Batches results (JSONL) with its side-car batch object `<file>.batch.json`."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..errors import FileError

VERSION = 2
DESCRIPTION = ("Anthropic Message Batches results (JSONL); the batch id and end time come from the side-car `<results "
               "file>.batch.json` (the batch object as the API returns it), else `--batch-id` and `--batch-ended-at`; "
               "errored, canceled and expired items are non-billable rows"
               "; `usage.iterations` (advisor, compaction) each priced at its own model's rates")
EXAMPLE = '{"custom_id": "ticket-00017", "result": {"type": "succeeded", "message": {"id": "msg_…", "usage": {…}}}}'


def sniff(record, head: bytes) -> bool:
    return isinstance(record, dict) and "custom_id" in record and isinstance(record.get("result"), dict)


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".batch.json")


def params(path: Path, options: dict) -> dict:
    """The batch id and end time: the side-car batch object, else the --batch-id/--batch-ended-at options."""
    batch_id, ended_at = options.get("batch_id"), options.get("batch_ended_at")
    side = sidecar(path)
    if side.is_file():
        try:
            batch = json.loads(side.read_text(encoding="utf-8"))
            batch_id, ended_at = batch["id"], batch.get("ended_at") or ended_at
        except (ValueError, KeyError, TypeError):
            raise FileError("batch_timestamp_missing", f"{side.name} is not a batch object with an id") from None
    if not batch_id or not ended_at:
        raise FileError("batch_timestamp_missing", f"no batch id or end time: put the batch object beside the file as "
                                                   f"{side.name}, or pass --batch-id and --batch-ended-at")
    try:
        when = dt.datetime.fromisoformat(str(ended_at).replace("Z", "+00:00"))
    except ValueError:
        raise FileError("batch_timestamp_missing", f"batch end time {ended_at!r} is not ISO 8601") from None
    if when.tzinfo is None:
        raise FileError("batch_timestamp_missing", f"batch end time {ended_at!r} has no time zone")
    return {"batch_id": str(batch_id), "batch_ts": when.astimezone(dt.timezone.utc).isoformat()}
