"""PDF/UA-1 for the printed handouts: what Chromium's tagged PDF still lacks.

Chromium (`page.pdf(tagged=True)`) writes the structure tree from the page's accessibility
tree: headings, paragraphs, lists, tables with header cells, figures with their alt text,
links, /Lang on every element whose HTML has a lang (an English fallback segment is
/Lang (en), as its HTML is lang="en"), bookmarks pointing at the headings, /Tabs /S on the
pages. What it leaves out is added here, after printing:

- artifacts: the running header and footer, backgrounds and rules, which Chromium paints
  outside the structure tree (pipeline.site.artifacts);
- LBody: Chromium puts a list item's content straight into LI, beside its Lbl;
- link descriptions: /Contents on each link annotation, from the link's text;
- identification: an XMP packet with pdfuaid:part 1, the title and the language
  (pipeline.site.xmp), and /DisplayDocTitle.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from .artifacts import Content, Unbalanced
from .xmp import Metadata, packet


@dataclass(frozen=True)
class Link:
    """A link as the reader sees it: its text, with what the page's CSS prints before and
    after it (the web address after an external link, on paper)."""

    before: str
    text: str
    after: str = ""

    @property
    def description(self) -> str:
        return " ".join(f"{self.before}{self.text}{self.after}".split())


def make_accessible(pdf: pikepdf.Pdf, meta: Metadata, links: tuple[Link, ...] = ()) -> None:
    """Everything PDF/UA-1 needs that Chromium did not write, in place."""
    found = pdf.Root.get("/StructTreeRoot")
    root = found if isinstance(found, Dictionary) else None
    parents = _ParentTree(root)
    _mark_artifacts(pdf, parents)
    if root is not None:
        elements = list(_elements(root))
        _list_bodies(pdf, elements, parents)
        _describe_links(elements, links)
    _describe_other_links(pdf)
    _identify(pdf, meta)


class _ParentTree:
    """The structure tree's map from page content and annotations back to elements."""

    def __init__(self, root: Dictionary | None) -> None:
        tree = root.get("/ParentTree") if root is not None else None
        self.tree = pikepdf.NumberTree(tree) if tree is not None else None

    def of_page(self, page: object) -> Array | None:
        """The element of each /MCID of the page, by /MCID."""
        key = page.get("/StructParents") if isinstance(page, Dictionary) else None
        if self.tree is None or key is None:
            return None
        found = self.tree.get(int(key))
        return found if isinstance(found, Array) else None

    def set(self, kid: object, page: object, parent: Dictionary) -> None:
        """Record `parent` as the element that holds `kid` (an /MCID, MCR or OBJR)."""
        if isinstance(kid, int) or (isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR"):
            mcid = kid if isinstance(kid, int) else int(kid.MCID)
            where = page if isinstance(kid, int) else kid.get("/Pg", page)
            array = self.of_page(where)
            if array is not None and 0 <= mcid < len(array):
                array[mcid] = parent
        elif isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR" and self.tree is not None:
            key = kid.Obj.get("/StructParent")
            if key is not None:
                self.tree[int(key)] = parent


def _mark_artifacts(pdf: pikepdf.Pdf, parents: _ParentTree) -> None:
    """Untagged content becomes artifacts; so does tagged content that only draws lines and
    fills, when its element has other content to stand for it (not a figure: a drawing may
    be one)."""
    for page in pdf.pages:
        if "/Contents" not in page.obj:
            continue
        page.contents_coalesce()
        data = page.obj.Contents.read_bytes()
        low, high = float(page.mediabox[1]), float(page.mediabox[3])
        try:
            content = Content.scan(data, (low + high) / 2)
        except Unbalanced:
            continue  # not Chromium's: left as it is
        owners = parents.of_page(page.obj)
        demote = frozenset(
            mcid
            for mcid in content.decorations
            if owners is not None and _decoration_only(owners, mcid, page.obj)
        )
        new = content.rewrite(demote)
        if new != data:
            # deflated here: faster than leaving it to save(), the same bytes every time
            page.obj.Contents.write(zlib.compress(new), filter=Name.FlateDecode)
        for mcid in demote:
            assert owners is not None  # none is demoted without its owners
            _drop_mcid(owners[mcid], mcid, page.obj)
            owners[mcid] = None


def _decoration_only(owners: Array, mcid: int, page: Dictionary) -> bool:
    owner = owners[mcid] if 0 <= mcid < len(owners) else None
    if not isinstance(owner, Dictionary):
        return False
    mine = [_kid_is(kid, mcid, owner, page) for kid in _kids(owner)]
    if not any(mine) or all(mine):
        return False  # not its content, or all of it
    node: object = owner
    while isinstance(node, Dictionary) and node.get("/Type") != "/StructTreeRoot":
        if node.get("/S") == "/Figure":
            return False
        node = node.get("/P")
    return True


def _kid_is(kid: object, mcid: int, owner: Dictionary, page: Dictionary) -> bool:
    """Whether `kid` of `owner` is the content item `mcid` of `page`."""
    if isinstance(kid, int):
        where = owner.get("/Pg")
    elif isinstance(kid, Dictionary) and kid.get("/Type") == "/MCR":
        where = kid.get("/Pg", owner.get("/Pg"))
        kid = int(kid.MCID)
    else:
        return False
    return kid == mcid and where is not None and where.objgen == page.objgen


def _drop_mcid(owner: pikepdf.Object, mcid: int, page: Dictionary) -> None:
    assert isinstance(owner, Dictionary)  # _decoration_only checked it
    kids = [kid for kid in _kids(owner) if not _kid_is(kid, mcid, owner, page)]
    owner.K = kids[0] if len(kids) == 1 else Array(kids)


def _kids(element: Dictionary) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _is_element(kid: object) -> bool:
    """A structure element, not a content item (an /MCID, MCR or OBJR has no /S)."""
    return isinstance(kid, Dictionary) and "/S" in kid


def _elements(root: Dictionary) -> Iterator[Dictionary]:
    """Every structure element, in document order (the reading order)."""
    stack = list(reversed(_kids(root)))
    seen: set[tuple[int, int]] = set()
    while stack:
        node = stack.pop()
        if not _is_element(node):
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        yield node
        stack.extend(reversed(_kids(node)))


def _list_bodies(pdf: pikepdf.Pdf, elements: list[Dictionary], parents: _ParentTree) -> None:
    """LI holds Lbl and LBody only (ISO 14289-1 7.6, ISO 32000-1 14.8.4.3.3): whatever
    else Chromium put in a list item moves into one LBody in its place."""
    for item in elements:
        if item.get("/S") != "/LI":
            continue
        kids = _kids(item)
        inside = [
            index
            for index, kid in enumerate(kids)
            if not (_is_element(kid) and kid.get("/S") in ("/Lbl", "/LBody"))
        ]
        if not inside:
            continue
        body = [kids[index] for index in inside]
        lbody = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.LBody, P=item, K=Array(body))
        )
        page = item.get("/Pg")
        if page is not None:
            lbody.Pg = page
        for kid in body:
            if _is_element(kid):
                kid.P = lbody
            else:
                parents.set(kid, page, lbody)
        kept = [kid for index, kid in enumerate(kids) if index not in inside]
        item.K = Array(kept[: inside[0]] + [lbody] + kept[inside[0] :])  # where its content began


def _describe_links(elements: list[Dictionary], links: tuple[Link, ...]) -> None:
    """Each link annotation's /Contents: the text of its link in the page.

    Chromium writes a /Link element for every link it lays out, in the page's order, which
    is the order the page listed them in; when the two counts differ, the annotations keep
    the description _describe_other_links gives them."""
    tagged = [element for element in elements if element.get("/S") == "/Link"]
    if len(tagged) != len(links):
        return
    for element, link in zip(tagged, links, strict=True):
        if not link.description.strip():
            continue
        for kid in _kids(element):
            if isinstance(kid, Dictionary) and kid.get("/Type") == "/OBJR":
                kid.Obj.Contents = pikepdf.String(link.description)


def _describe_other_links(pdf: pikepdf.Pdf) -> None:
    """A link annotation still without /Contents is described by where it leads."""
    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            if annot.get("/Subtype") != "/Link" or str(annot.get("/Contents", "")).strip():
                continue
            action = annot.get("/A")
            dest = annot.get("/Dest", action.get("/D") if action is not None else None)
            if action is not None and "/URI" in action:
                annot.Contents = pikepdf.String(str(action.URI))
            elif isinstance(dest, pikepdf.String | Name):
                annot.Contents = pikepdf.String("#" + str(dest).lstrip("/"))


def _identify(pdf: pikepdf.Pdf, meta: Metadata) -> None:
    """The XMP packet that declares PDF/UA-1; the title shown instead of the file name;
    the page order of the structure tree as the order of the annotations."""
    pdf.Root.Metadata = pdf.make_stream(packet(meta), Type=Name.Metadata, Subtype=Name.XML)
    preferences = pdf.Root.get("/ViewerPreferences")
    if not isinstance(preferences, Dictionary):
        preferences = pdf.Root.ViewerPreferences = Dictionary()
    preferences.DisplayDocTitle = True
    marks = pdf.Root.get("/MarkInfo")
    if not isinstance(marks, Dictionary):
        marks = pdf.Root.MarkInfo = Dictionary()
    marks.Marked = True
    for page in pdf.pages:
        page.obj.Tabs = Name.S
