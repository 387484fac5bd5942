"""User-facing text goes through the catalogue: no literal or f-string is sent to a user directly."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SENDERS = {"reply", "edit", "send_message", "reply_text", "edit_message_text", "answer", "InlineKeyboardButton"}


def _literal(node: ast.AST) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(node.value.strip())
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    return False


def _offences(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in SENDERS:
            continue
        args = list(node.args) + [k.value for k in node.keywords if k.arg in ("text", "caption")]
        found += [f"{path.relative_to(root)}:{a.lineno}" for a in args if _literal(a)]
    return found


def test_no_user_facing_literals():
    files = [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/**/*.py")]
    offences = [o for f in files for o in _offences(f)]
    assert offences == [], "send text through t(...): " + ", ".join(offences)


def test_the_check_catches_a_literal(tmp_path):
    sample = tmp_path / "probe.py"
    sample.write_text(
        'async def f(update, name):\n    await reply(update, "Hello there")\n'
        '    await reply(update, f"Hi {name}")\n    await reply(update, t("Fine"))\n'
    )
    assert _offences(sample, tmp_path) == ["probe.py:2", "probe.py:3"]
