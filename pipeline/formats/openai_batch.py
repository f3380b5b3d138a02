"""OpenAI Batch API output and error files (JSONL), with an optional side-car batch object `<file>.batch.json`."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..errors import FileError

VERSION = 3
DESCRIPTION = ("OpenAI Batch API output and error files (JSONL); lines without a body time take the side-car "
               "`<file>.batch.json` (the Batch object), else `--batch-ended-at`; non-200 and error lines are "
               "non-billable rows"
               "; a Response body's `web_search_call` items priced per call")
EXAMPLE = ('{"id": "batch_req_…", "custom_id": "doc-0001", "response": {"status_code": 200, "body": '
           '{"object": "chat.completion", "created": 1773330000, "usage": {…}}}, "error": null}')

END_FIELDS = ("completed_at", "failed_at", "expired_at", "cancelled_at")


def sniff(record, head: bytes) -> bool:
    return (isinstance(record, dict) and "custom_id" in record and "result" not in record
            and ("response" in record or "error" in record))


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".batch.json")


def params(path: Path, options: dict) -> dict:
    """Batch id, end time, model and metadata from the side-car batch object, else --batch-id/--batch-ended-at."""
    batch_id, ended, model, metadata = options.get("batch_id"), None, None, {}
    side = sidecar(path)
    if side.is_file():
        try:
            batch = json.loads(side.read_text(encoding="utf-8"))
            if not isinstance(batch, dict):
                raise ValueError
        except ValueError:
            raise FileError("batch_timestamp_missing", f"{side.name} is not a batch object") from None
        batch_id = batch.get("id") or batch_id
        model = batch.get("model") if isinstance(batch.get("model"), str) else None
        metadata = {str(k): str(v) for k, v in (batch.get("metadata") or {}).items() if v is not None} \
            if isinstance(batch.get("metadata"), dict) else {}
        for field in END_FIELDS:
            value = batch.get(field)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                ended = dt.datetime.fromtimestamp(value, dt.timezone.utc).isoformat()
                break
    if ended is None and options.get("batch_ended_at"):
        raw = str(options["batch_ended_at"])
        try:
            when = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise FileError("batch_timestamp_missing", f"batch end time {raw!r} is not ISO 8601") from None
        if when.tzinfo is None:
            raise FileError("batch_timestamp_missing", f"batch end time {raw!r} has no time zone")
        ended = when.astimezone(dt.timezone.utc).isoformat()
    return {"batch_id": str(batch_id) if batch_id else None, "batch_ts": ended, "batch_model": model,
            "batch_metadata": json.dumps(metadata)}
