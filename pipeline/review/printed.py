"""The printed review sheet: its data attached to the PDF, with a digest of each page.

Reviewers are usually sent the PDF, so `approve` must be able to read it with the same
guarantee as the HTML.  The sheet's data block (the same JSON the HTML carries) is
attached as `review-sheet.json` (an associated file, /AFRelationship /Data), together
with a SHA-256 per page of what that page shows: its content, the fonts, images and other
resources the content draws with, and its geometry.  These digests are taken of the
decoded objects, in the order they are reached from the page, never of object numbers or
compressed bytes, so a PDF reader that adds comments or highlights (annotations, which
leave the pages' content alone) and saves the file again changes none of them; an edit of
what a page shows changes its digest.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name, Stream

from ..errors import L10nError

ATTACHMENT = "review-sheet.json"
FORMAT = "l10n-review-sheet-pdf/1"
# What a page shows beyond its content streams (inherited from /Pages where marked).
PAGE_KEYS = ("/MediaBox", "/CropBox", "/Rotate", "/UserUnit", "/Group", "/Resources")
INHERITED = frozenset({"/MediaBox", "/CropBox", "/Rotate", "/Resources"})
# How a stream is stored, not what it holds.
ENCODING_KEYS = frozenset({"/Length", "/Filter", "/DecodeParms", "/DL"})
AGAIN = "write it again with 'l10n review'"


def attach(data: dict) -> Callable[[pikepdf.Pdf], None]:
    """What adds a sheet's data, with its pages' digests, to the sheet's finished PDF."""

    def add(pdf: pikepdf.Pdf) -> None:
        payload = {"format": FORMAT, "pages": page_digests(pdf), "sheet": data}
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        spec = pikepdf.AttachedFileSpec(
            pdf,
            raw.encode("utf-8"),
            description="The review sheet's data, read back by 'l10n approve'",
            filename=ATTACHMENT,
            mime_type="application/json",
            relationship=Name.Data,
        )
        filespec = pdf.make_indirect(spec.obj)
        pdf.attachments[ATTACHMENT] = spec
        pdf.Root.AF = Array([filespec])

    return add


def is_pdf(raw: bytes) -> bool:
    return b"%PDF-" in raw[:1024]


def read(raw: bytes, shown: str) -> object:
    """The sheet data attached to a printed sheet whose pages still show what
    'l10n review' printed; an L10nError naming the file (and page) otherwise."""
    where = f"{shown}: {ATTACHMENT}"
    changed = (
        f"{where}: the sheet has been changed since 'l10n review' wrote it; "
        f"{AGAIN} and have it reviewed again"
    )
    try:
        pdf = pikepdf.open(io.BytesIO(raw))
    except (pikepdf.PdfError, ValueError) as exc:
        reason = (str(exc).strip().splitlines() or ["unreadable"])[-1]
        raise L10nError(f"{shown}: cannot be read as a PDF: {reason}") from None
    with pdf:
        try:
            return _sheet_data(pdf, shown, changed)
        except L10nError:
            damage = [w.split(": ", 1)[-1] for w in pdf.get_warnings()]
            if damage:  # what failed is more likely the damage than an edit
                raise L10nError(
                    f"{shown}: the PDF is damaged ({'; '.join(damage[:2])}); {AGAIN}"
                ) from None
            raise


def _sheet_data(pdf: pikepdf.Pdf, shown: str, changed: str) -> object:
    try:
        spec = pdf.attachments.get(ATTACHMENT)
        raw_data = spec.get_file().read_bytes() if spec is not None else None
    except (pikepdf.PdfError, ValueError, AttributeError, KeyError):
        raise L10nError(changed) from None
    if raw_data is None:
        raise L10nError(
            f"{shown}: not a review sheet (no {ATTACHMENT} attached); write one with 'l10n review'"
        )
    try:
        payload = json.loads(raw_data.decode("utf-8"))
        recorded = payload["pages"]
        if payload["format"] != FORMAT or not isinstance(recorded, list):
            raise ValueError("not this format")
    except (ValueError, TypeError, KeyError):
        raise L10nError(changed) from None
    _check_pages(pdf, recorded, shown)
    return payload.get("sheet")


def _check_pages(pdf: pikepdf.Pdf, recorded: list, shown: str) -> None:
    found = page_digests(pdf)
    for number, (now, then) in enumerate(zip(found, recorded, strict=False), 1):
        if now != then:
            raise L10nError(
                f"{shown}: page {number}: what this page shows has changed since "
                f"'l10n review' printed it (the sheet was edited); {AGAIN}"
            )
    if len(found) != len(recorded):
        raise L10nError(
            f"{shown}: page {min(len(found), len(recorded)) + 1}: the sheet has "
            f"{len(found)} pages, 'l10n review' printed {len(recorded)} (the sheet was "
            f"edited); {AGAIN}"
        )


def page_digests(pdf: pikepdf.Pdf) -> list[str]:
    """A SHA-256 per page, in page order, of what the page shows."""
    streams: dict[tuple[int, int], bytes] = {}  # a font used on every page is read once
    return [_page_digest(page.obj, streams) for page in pdf.pages]


def _page_digest(page: Dictionary, streams: dict[tuple[int, int], bytes]) -> str:
    out = hashlib.sha256()
    seen: dict[tuple[int, int], int] = {}
    for key in PAGE_KEYS:
        out.update(key.encode("ascii"))
        _feed(out, _attribute(page, key), seen, streams)
    contents = page.get("/Contents")
    parts = list(contents) if isinstance(contents, Array) else [contents]
    for part in parts:
        out.update(b"C")
        if isinstance(part, Stream):
            out.update(_stream_data(part, streams))
    return out.hexdigest()


def _attribute(page: Dictionary, key: str) -> object:
    node: object = page
    for _ in range(64):  # a /Parent chain, however deep a sane page tree goes
        if not isinstance(node, Dictionary):
            return None
        if key in node:
            return node[key]
        if key not in INHERITED:
            return None
        node = node.get("/Parent")
    return None


def _feed(out: hashlib._Hash, obj: object, seen: dict, streams: dict) -> None:
    """Each value tagged and sized, dictionaries by sorted key, an object reached again by
    the order it was first reached in: the same for the same objects however stored."""
    if isinstance(obj, Dictionary | Stream | Array) and obj.is_indirect:
        if obj.objgen in seen:
            out.update(b"@%d;" % seen[obj.objgen])
            return
        seen[obj.objgen] = len(seen)
    if isinstance(obj, Stream):
        out.update(b"S")
        _feed_dict(out, obj.stream_dict, seen, streams, skip=ENCODING_KEYS)
        out.update(_stream_data(obj, streams))
    elif isinstance(obj, Dictionary):
        _feed_dict(out, obj, seen, streams)
    elif isinstance(obj, Array):
        out.update(b"[%d;" % len(obj))
        for item in obj:
            _feed(out, item, seen, streams)
    elif isinstance(obj, Name):
        _sized(out, b"/", str(obj).encode("utf-8"))
    elif isinstance(obj, pikepdf.String):
        _sized(out, b"s", bytes(obj))
    elif obj is None:
        out.update(b"n;")
    elif isinstance(obj, bool):
        out.update(b"t;" if obj else b"f;")
    elif isinstance(obj, int | Decimal):
        out.update(b"i" if isinstance(obj, int) else b"r")
        out.update(str(obj).encode("ascii") + b";")
    else:  # an operator or other object a resource cannot hold: its text
        _sized(out, b"?", str(obj).encode("utf-8"))


def _feed_dict(
    out: hashlib._Hash, obj: Dictionary, seen: dict, streams: dict, skip: frozenset = frozenset()
) -> None:
    items = sorted((item for item in obj.items() if item[0] not in skip), key=lambda kv: kv[0])
    out.update(b"<%d;" % len(items))
    for key, value in items:
        _sized(out, b"/", key.encode("utf-8"))
        _feed(out, value, seen, streams)


def _sized(out: hashlib._Hash, tag: bytes, data: bytes) -> None:
    out.update(b"%s%d;" % (tag, len(data)))
    out.update(data)


def _stream_data(stream: Stream, cache: dict[tuple[int, int], bytes]) -> bytes:
    """The SHA-256 of a stream's decoded data (or, for a filter pikepdf cannot undo, such
    as an image's DCT, of its filters and stored bytes)."""
    key = stream.objgen
    if key != (0, 0) and key in cache:
        return cache[key]
    try:
        found = b"d" + hashlib.sha256(stream.read_bytes()).digest()
    except pikepdf.PdfError:
        how = hashlib.sha256()
        _feed(how, stream.get("/Filter"), {}, cache)
        _feed(how, stream.get("/DecodeParms"), {}, cache)
        how.update(stream.read_raw_bytes())
        found = b"e" + how.digest()
    if key != (0, 0):
        cache[key] = found
    return found
