"""Where a customer's reply ends and the history it quotes begins."""

import re

_QUOTE_START = re.compile(
    r"^\s*("
    r">"
    r"|-{2,}\s*(original message|mensaje original|forwarded message|mensaje reenviado)\s*-{2,}"
    r"|on .{1,200} wrote:\s*$"
    r"|el .{1,200} escribi[oó]:\s*$"
    r"|(from|de):\s.+$"
    r"|_{10,}\s*$"
    r")",
    re.I,
)


def split_quoted(text: str) -> tuple[str, str]:
    """(new text, quoted history): the reply the customer wrote first, the
    rest folded. ``From:``/``De:`` starts the history only when a blank line
    or a rule precedes it, as Outlook writes its header block."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if not _QUOTE_START.match(line):
            continue
        after_text = index and lines[index - 1].strip()
        after_rule = index and re.match(r"^\s*_{5,}", lines[index - 1])
        if re.match(r"^\s*(from|de):", line, re.I) and after_text and not after_rule:
            continue
        if index == 0 and not line.lstrip().startswith(">"):
            continue
        new = "\n".join(lines[:index]).rstrip()
        if not new:
            return text, ""
        return new, "\n".join(lines[index:]).strip("\n")
    return text, ""
