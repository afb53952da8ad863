"""A word diff between two revisions of a statement, for approvers to see what changed."""

import difflib
import re

TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[dict[str, str]]:
    """Runs of equal, deleted and inserted text; whitespace stays with the words around it."""
    old_tokens, new_tokens = TOKEN.findall(old), TOKEN.findall(new)
    runs: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for op, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if op in ("equal", "delete", "replace"):
            _append(runs, "equal" if op == "equal" else "delete", "".join(old_tokens[a_start:a_end]))
        if op in ("insert", "replace"):
            _append(runs, "insert", "".join(new_tokens[b_start:b_end]))
    return runs


def _append(runs: list[dict[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1]["op"] == op:
        runs[-1]["text"] += text
    else:
        runs.append({"op": op, "text": text})
