"""Raw Gemini generateContent responses (JSONL) without an envelope; Vertex AI's createTime is the time."""
VERSION = 1
DESCRIPTION = ("Gemini `generateContent` responses without an envelope (JSONL), timed by Vertex AI's `createTime`; a "
               "stream's chunks collapse to the biggest")
EXAMPLE = ('{"candidates": […], "usageMetadata": {"promptTokenCount": 12000, "cachedContentTokenCount": 8000, …}, '
           '"modelVersion": "gemini-2.5-pro", "createTime": "2026-03-12T15:20:01.204117Z", "responseId": "…"}')


def sniff(record, head: bytes) -> bool:
    return isinstance(record, dict) and "response" not in record and (
        "usageMetadata" in record or ("candidates" in record and ("modelVersion" in record or "responseId" in record))
    )
