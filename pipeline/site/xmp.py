"""The XMP metadata packet of a handout: what the Info dictionary says, and PDF/UA-1.

PDF/UA-1 (ISO 14289-1, 5 and 7.1) asks for an XMP packet that declares the part of the
standard the file follows (pdfuaid:part) and carries the title (dc:title). The packet is
written from the same values as the Info dictionary, so that the two never disagree, and
from nothing else: the same inputs give the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape, quoteattr

# Characters XML 1.0 does not allow (a title comes from a translation: untrusted).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Metadata:
    """What a handout says about itself."""

    title: str
    lang: str
    date: datetime
    description: str = ""
    author: str = ""
    creator: str = ""
    producer: str = ""


def _text(value: str) -> str:
    return escape(_NOT_XML.sub("", value))


def _date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def packet(meta: Metadata) -> bytes:
    """The XMP packet, UTF-8."""
    lang = quoteattr(_NOT_XML.sub("", meta.lang) or "x-default")
    lines = ["<dc:format>application/pdf</dc:format>"]
    if meta.title:
        lines.append(
            "<dc:title><rdf:Alt>"
            f'<rdf:li xml:lang="x-default">{_text(meta.title)}</rdf:li>'
            f"<rdf:li xml:lang={lang}>{_text(meta.title)}</rdf:li>"
            "</rdf:Alt></dc:title>"
        )
    if meta.description:
        lines.append(
            "<dc:description><rdf:Alt>"
            f'<rdf:li xml:lang="x-default">{_text(meta.description)}</rdf:li>'
            f"<rdf:li xml:lang={lang}>{_text(meta.description)}</rdf:li>"
            "</rdf:Alt></dc:description>"
        )
    if meta.author:
        lines.append(
            f"<dc:creator><rdf:Seq><rdf:li>{_text(meta.author)}</rdf:li></rdf:Seq></dc:creator>"
        )
    if meta.lang:
        lines.append(
            f"<dc:language><rdf:Bag><rdf:li>{_text(meta.lang)}</rdf:li></rdf:Bag></dc:language>"
        )
    if meta.producer:
        lines.append(f"<pdf:Producer>{_text(meta.producer)}</pdf:Producer>")
    if meta.creator:
        lines.append(f"<xmp:CreatorTool>{_text(meta.creator)}</xmp:CreatorTool>")
    stamp = _date(meta.date)
    lines += [
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate>",
        "<pdfuaid:part>1</pdfuaid:part>",
    ]
    body = "\n".join(f"   {line}" for line in lines)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"\n'
        '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"\n'
        '    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
        f"{body}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="r"?>'
    ).encode()
