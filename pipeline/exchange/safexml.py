"""Reading XML that came from outside (an agency's XLIFF, a TMX memory) safely.

Files are streamed (lxml's iterparse), so a large file is never held whole; entities are
never resolved, nothing is fetched from the network, and a document that declares
entities (an external entity, an expansion bomb) is refused before its content is read.
Any problem is an L10nError naming the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from ..errors import L10nError


def local(tag: object) -> str:
    """An element's name without its namespace ('' for comments and the like)."""
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def namespace(tag: str) -> str | None:
    return etree.QName(tag).namespace


def stream(path: Path, shown: str) -> Iterator[tuple[str, etree._Element]]:
    """("start", element) and ("end", element) events of a file, checked as they come.

    The caller clears what it has used (`forget`), so that memory stays flat."""
    try:
        events = etree.iterparse(
            str(path),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        first = True
        for event, element in events:
            if first:
                first = False
                _refuse_entities(element, shown)
            if event == "end" and any(isinstance(c, etree._Entity) for c in element):
                raise L10nError(f"{shown}:{element.sourceline}: {_ENTITIES}")
            yield event, element
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 1
        message = str(exc.msg or exc).split(", line ")[0]
        if "entity" in message.lower() or "entities" in message.lower():
            raise L10nError(f"{shown}:{line}: {_ENTITIES} ({message})") from None
        raise L10nError(
            f"{shown}:{line}: not well-formed XML ({message}); is the file complete?"
        ) from None
    except OSError as exc:
        raise L10nError(f"{shown}: cannot be read: {exc.strerror or exc}") from None


_ENTITIES = (
    "the document declares or uses entities, which are refused (external entities and "
    "entity expansion are a known attack)"
)


def _refuse_entities(root: etree._Element, shown: str) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise L10nError(f"{shown}:1: {_ENTITIES}")


def forget(element: etree._Element) -> None:
    """Free an element that has been read, and the siblings read before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
