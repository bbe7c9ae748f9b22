"""The live review view: the review sheet of `l10n review`, as the catalog stands now,
with the controls a reviewer approves from in the browser.

The sheet itself (English beside translation, findings, earlier approvals and what
changed since) is `review.sheet`'s; approving is `review.approve.approve_rows`, which
records exactly the texts the rows showed and names any that changed since.  This
module only adds the reviewer's controls and words the outcome.
"""

from __future__ import annotations

from markupsafe import escape

from ..project import Project
from ..review.approve import Outcome
from ..review.sheet import APPROVABLE, render_sheet, sheet_for
from .inject import inject, render


def live_sheet(
    project: Project, locale: str, domain: str, show_all: bool, head: str, token: str
) -> str:
    """The sheet's HTML with the reviewer's form, the Approve buttons' script and this
    run's token (an L10nError when the catalog or the ledger cannot be read)."""
    sheet = sheet_for(project, locale, domain, everything=show_all)
    html = render_sheet(project, sheet)
    approvable = sum(1 for row in sheet.rows if row.state in APPROVABLE)
    controls = render(
        "review_controls.html",
        show_all=show_all,
        page_href=f"/{_tag(locale)}/{domain}.html",
        approvable=approvable,
        roles=sorted({*project.config.release_approval, "clinician", "linguist"}),
    )
    at = html.find("</h1>")
    if at >= 0:
        html = html[: at + len("</h1>")] + "\n" + controls + html[at + len("</h1>") :]
    page = escape(domain)
    meta = (
        f'<meta name="l10n-token" content="{escape(token)}">\n'
        f'<meta name="l10n-page" content="{page}" data-locale="{_tag(locale)}">\n'
        '<link rel="stylesheet" href="/_l10n/sheet.css">\n'
        '<script src="/_l10n/review.js" defer></script>\n'
    )
    return inject(html, head + meta)


def _tag(locale: str) -> str:
    from ..locales import web_tag

    return web_tag(locale)


def message(outcome: Outcome, role: str, by: str) -> str:
    """What the reviewer reads after approving."""
    added = len(outcome.approved)
    text = f"Approved {added} entr{'y' if added == 1 else 'ies'} as {role} ({by.strip()})."
    if outcome.already:
        text += f" {outcome.already} already carried your approval."
    for refused in outcome.refused:
        text += f" {refused}."
    return text
