"""An OFX or QFX file (1.x SGML or 2.x XML) read by ofxtools into an element tree, refusing broken structure."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from ofxtools.header import OFXHeaderError
from ofxtools.Parser import OFXTree, ParseError, TreeBuilder

from bot.sources.parsed import ExportProblem

REASON_LIMIT = 160


class CheckedTreeBuilder(TreeBuilder):
    """ofxtools' builder accepts a file cut short or a mismatched end tag; this one refuses both."""

    def __init__(self) -> None:
        super().__init__()
        self._open_tags: list[str] = []

    def start(self, tag: Any, attrs: Any, *args: Any) -> Any:
        self._open_tags.append(str(tag))
        return super().start(tag, attrs, *args)

    def end(self, tag: Any) -> Any:
        if not self._open_tags or self._open_tags[-1] != tag:
            open_tag = f"<{self._open_tags[-1]}>" if self._open_tags else "nothing"
            raise ParseError(f"</{tag}> closes {open_tag}")
        self._open_tags.pop()
        return super().end(tag)

    def close(self) -> Any:
        if self._open_tags:
            raise ParseError(f"<{self._open_tags[-1]}> is never closed: the file may be cut short")
        return super().close()


def read_ofx(path: Path) -> ET.Element:
    try:
        root = OFXTree().parse(str(path), parser=CheckedTreeBuilder())
    except (OFXHeaderError, ParseError, ValueError) as error:
        raise ExportProblem(
            f"{path.name} is not a readable OFX file ({one_line(str(error))}): "
            "download it from the bank again, or export CSV instead"
        ) from None
    if root is None or root.tag != "OFX":
        raise ExportProblem(f"{path.name} has no <OFX> element: download it from the bank again, or export CSV instead")
    return root


def one_line(reason: str) -> str:
    first_line = " ".join(reason.strip().splitlines()[0].split()) if reason.strip() else "no reason given"
    first_line = first_line.rstrip(":")
    return first_line if len(first_line) <= REASON_LIMIT else first_line[: REASON_LIMIT - 1] + "…"
