"""Deterministic sample usage logs, at any scale (same seed, same bytes). The engine never imports this package.

- ``article``: the source article's 30-day workload of three apps on the Claude API, with its config (the demo's);
- ``claude-code``: a Claude Code transcript tree (``~/.claude/projects``);
- ``openai``: app logs of OpenAI Chat Completions and Responses.
"""
from __future__ import annotations

from pathlib import Path

from . import article, claude_code, openai

KINDS = {"article": article.generate, "claude-code": claude_code.generate, "openai": openai.generate}


def generate(kind: str, out_dir: Path, scale: int = 1, seed: int = 2026) -> dict:
    """Write sample logs of a kind under out_dir; returns a summary (counts, tokens, the files written)."""
    if kind not in KINDS:
        raise ValueError(f"unknown sample kind {kind!r} (known: {', '.join(KINDS)})")
    return KINDS[kind](Path(out_dir), scale, seed)
