"""Raw Gemini generateContent responses without an envelope (JSONL or one JSON document); Vertex AI's createTime is the time."""
VERSION = 3
DESCRIPTION = ("Gemini `generateContent` responses without an envelope (JSONL, one pretty-printed response, or the "
               "JSON array Vertex AI's `streamGenerateContent` returns), timed by Vertex AI's `createTime`; a stream's "
               "chunks collapse to the biggest; a prompt blocked by a safety filter is a row billed for its input"
               "; grounding priced per grounded prompt on 2.x, per search query on 3.x")
EXAMPLE = ('{"candidates": […], "usageMetadata": {"promptTokenCount": 12000, "cachedContentTokenCount": 8000, …}, '
           '"modelVersion": "gemini-2.5-pro", "createTime": "2026-03-12T15:20:01.204117Z", "responseId": "…"}')


def sniff(record, head: bytes) -> bool:
    return isinstance(record, dict) and "response" not in record and (
        "usageMetadata" in record or ("candidates" in record and ("modelVersion" in record or "responseId" in record))
    )
