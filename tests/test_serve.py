"""`l10n serve`: the live preview, its findings panel, the review view and its guards.

A real `l10n serve` runs on `--port 0` over a copy of the repository's pages and
catalogs; real Chromium (Playwright) keeps pages open while the tests write catalogs on
disk, and axe-core checks the served pages.  Host, Origin, token and path checks go to
the same server over raw HTTP.  Tests in the browser are marked `browser` (by
tests/conftest.py, from their `chromium` fixture), those that start a server `slow`.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import polib
import pytest
from conftest import REPO, copy_repo

from pipeline.checks import runner
from pipeline.errors import L10nError
from pipeline.project import load
from pipeline.review.ledger import EntryText
from pipeline.review.ledger import load as load_ledger
from pipeline.serve import guard
from pipeline.serve.affected import plan
from pipeline.serve.builder import Builder
from pipeline.serve.events import Events, covers
from pipeline.site.build import Task

EPOCH = "1790000000"
PAGE = "systemic-sclerosis"
TH_PO = Path("locales/th/LC_MESSAGES/systemic-sclerosis.po")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
READY = 300  # seconds a first build may take on a loaded machine (a guard, not a measure)


def _env(root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SOURCE_DATE_EPOCH": EPOCH,
        "L10N_CACHE": str(root.parent / "cache"),
        "PYTHONPATH": str(REPO),
    }


class Served:
    """`l10n serve --port 0` in a process of its own, its output collected as it comes."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "-C", str(root), "serve", "--port", "0", *args],
            env=_env(root),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.first = self.process.stdout.readline()
        found = re.fullmatch(
            r"Serving http://127\.0\.0\.1:(\d+)/ \(Ctrl\+C to stop\)\n", self.first
        )
        if not found:
            self.process.kill()
            raise AssertionError(f"first line {self.first!r}; stderr: {self.process.stderr.read()}")
        self.port = int(found.group(1))
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.err = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._err_reader = threading.Thread(target=self._read_err, daemon=True)
        self._err_reader.start()
        assert self.ready.wait(READY), "\n".join(self.lines)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("watching"):
                self.ready.set()

    def _read_err(self) -> None:
        self.err = self.process.stderr.read()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        self._reader.join(30)  # all of the output read
        self._err_reader.join(30)
        return code


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, bytes]:
    """One raw HTTP request: the path is sent exactly as given."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in {"Host": f"127.0.0.1:{port}", **(headers or {})}.items():
            conn.putheader(name, value)
        if body:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body or None)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def wait_until(test: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Poll until `test` holds (a guard against hanging, not a measure of speed)."""
    deadline = time.monotonic() + seconds
    while not test():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def save_po(path: Path, change: Callable[[polib.POFile], None]) -> None:
    """Change a catalog as an editor saves it: a new file renamed over the old one."""
    po = polib.pofile(str(path), wrapwidth=79)
    change(po)
    staged = path.with_name(f".{path.name}.saving")
    staged.write_text(po.__unicode__(), encoding="utf-8")
    os.replace(staged, path)


def entry(po: polib.POFile, msgid: str) -> polib.POEntry:
    return next(e for e in po if e.msgid == msgid)


def msgstr_line(path: Path, msgid_start: str) -> int:
    """The line of the msgstr of the entry whose msgid starts with this text."""
    lines = path.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(f'msgid "{msgid_start}'))
    return next(i for i in range(at, len(lines)) if lines[i].startswith("msgstr")) + 1


# --- the pure parts -----------------------------------------------------------------------


def test_host_header_must_name_this_server() -> None:
    local = guard.Address("127.0.0.1", 8000, "127.0.0.1")
    assert guard.host_allowed("127.0.0.1:8000", local)
    assert guard.host_allowed("localhost:8000", local)
    assert guard.host_allowed("LOCALHOST:8000", local)
    assert not guard.host_allowed("evil.example:8000", local)
    assert not guard.host_allowed("evil.example", local)
    assert not guard.host_allowed("127.0.0.1:8001", local)
    assert not guard.host_allowed("127.0.0.1", local)
    assert not guard.host_allowed("", local)
    assert not guard.host_allowed("10.0.0.5:8000", local)
    everywhere = guard.Address("0.0.0.0", 8000, "0.0.0.0")
    assert guard.host_allowed("192.168.1.20:8000", everywhere)
    assert guard.host_allowed("[::1]:8000", everywhere)
    assert not guard.host_allowed("attacker.example:8000", everywhere)
    named = guard.Address("myhost.lan", 9000, "192.168.1.20")
    assert guard.host_allowed("myhost.lan:9000", named)
    assert guard.host_allowed("192.168.1.20:9000", named)
    assert not guard.host_allowed("localhost:9000", named)


def test_approval_needs_post_loopback_own_origin_and_token() -> None:
    address = guard.Address("127.0.0.1", 8000, "127.0.0.1")
    host = "127.0.0.1:8000"
    ok = ("POST", "t0ken", "t0ken", "http://127.0.0.1:8000", host, "127.0.0.1", address)
    assert guard.approval_refusal(*ok) is None
    refusals = {
        "method": ("GET", *ok[1:]),
        "no token": (ok[0], None, *ok[2:]),
        "wrong token": (ok[0], "other", *ok[2:]),
        "no origin": (*ok[:3], None, *ok[4:]),
        "foreign origin": (*ok[:3], "http://evil.example", *ok[4:]),
        "origin of another port": (*ok[:3], "http://127.0.0.1:8001", *ok[4:]),
        "origin not the host asked": (*ok[:3], "http://localhost:8000", *ok[4:]),
        "remote client": (*ok[:5], "192.168.1.9", ok[6]),
    }
    for name, args in refusals.items():
        assert guard.approval_refusal(*args), name
    assert guard.approval_refusal(*ok[:5], "::ffff:127.0.0.1", ok[6]) is None


def test_only_files_under_build_are_served(tmp_path: Path) -> None:
    build = tmp_path / "build"
    (build / "th").mkdir(parents=True)
    (build / "th" / "page.html").write_text("page", encoding="utf-8")
    (build / "index.html").write_text("index", encoding="utf-8")
    (build / ".l10n-state.json").write_text("{}", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text("secret", encoding="utf-8")
    (build / "out.toml").symlink_to(tmp_path / "pyproject.toml")
    (build / "outdir").symlink_to(tmp_path)
    (build / "alias.html").symlink_to(build / "th" / "page.html")
    assert guard.build_file(build, "/th/page.html") == (build / "th" / "page.html").resolve()
    assert guard.build_file(build, "/th/page%2Ehtml") == (build / "th" / "page.html").resolve()
    assert guard.build_file(build, "/") == (build / "index.html").resolve()
    assert guard.build_file(build, "/alias.html") == (build / "th" / "page.html").resolve()
    for path in (
        "/../pyproject.toml",
        "/..%2fpyproject.toml",
        "/..%2f..%2fpyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/%2E%2E%2Fpyproject.toml",
        "/..%252fpyproject.toml",
        "/%252e%252e/pyproject.toml",
        "/th/..%5c..%5cpyproject.toml",
        "/th/%2e%2e/%2e%2e/pyproject.toml",
        "/out.toml",
        "/outdir/pyproject.toml",
        "/.l10n-state.json",
        "/th/page.html%00.png",
        "/%ff",
        "/missing.html",
    ):
        assert guard.build_file(build, path) is None, path


def test_saved_files_map_to_the_pages_and_catalogs_they_affect(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    project = load(root)
    locales = ["en", "th", "vi"]
    po = root / TH_PO
    found = plan(project, locales, [po])
    assert found.pages == {Task("th", PAGE)} and found.catalogs == {Task("th", PAGE)}
    assert not found.everything
    found = plan(project, locales, [root / "locales/th/LC_MESSAGES/ui.po"])
    assert found.pages == {Task("th", PAGE)} and found.catalogs == {Task("th", "ui")}
    found = plan(project, locales, [root / "source" / f"{PAGE}.md"])
    assert found.pages == {Task(loc, PAGE) for loc in locales}
    assert found.catalogs == {Task("th", PAGE), Task("vi", PAGE)}
    assert plan(project, locales, [root / "locales/km/LC_MESSAGES/ui.po"]).pages == set()
    found = plan(project, locales, [root / "locales/th/approvals.tsv"])
    assert found.review == {"th"} and found.index and not found.pages
    assert plan(project, locales, [root / "locales/glossary.tbx"]).recheck_all
    found = plan(project, locales, [root / "pyproject.toml"])
    assert found.everything and found.config
    from pipeline.assets import TEMPLATES_DIR

    assert plan(project, locales, [TEMPLATES_DIR / "page.html"]).everything
    assert not plan(project, locales, [root / "README.md", root / "build" / "x.html"])


def test_reload_notices_reach_the_pages_they_concern() -> None:
    assert covers("th/page", "th/page") and covers("th/*", "th/page") and covers("*", "index")
    assert not covers("th/page", "th/other") and not covers("th/*", "review/th/page")
    events = Events()
    assert events.version("th/page") == 0
    events.publish(["th/*"])
    events.publish(["th/page", "vi/page"])
    assert events.version("th/page") == 2 and events.version("vi/page") == 2
    events.publish(["th/*"])
    assert events.version("th/page") == 3 and events.version("vi/page") == 2
    assert events.version("review/th/page") == 0


@pytest.mark.slow
def test_saves_during_a_rebuild_make_one_follow_up(tmp_path: Path) -> None:
    """Ten saves while a rebuild runs cost one more rebuild, not ten."""
    root = copy_repo(tmp_path / "repo")
    said: list[str] = []
    builder = Builder(load(root), ("th",), Events(), said.append, jobs=1)
    builder.start()
    assert builder.ready.wait(READY)
    wait_until(builder.idle, "the first build")
    po = root / TH_PO
    with builder.render_lock:  # holds the builder inside its next rebuild
        save_po(po, lambda p: setattr(entry(p, "Conclusion"), "msgstr", "สรุป 1"))
        builder.submit([po])
        wait_until(lambda: builder.busy and not builder.pending(), "the rebuild to start")
        for number in range(2, 11):
            save_po(po, lambda p, n=number: setattr(entry(p, "Conclusion"), "msgstr", f"สรุป {n}"))
            builder.submit([po])
    wait_until(builder.idle, "the follow-up rebuild")
    builder.stop()
    rebuilt = [line for line in said if line.startswith("rebuilt")]
    assert len(rebuilt) == 2, said
    html = (root / "build" / "th" / f"{PAGE}.html").read_text(encoding="utf-8")
    assert "สรุป 10" in html and "data-l10n" not in html


# --- the server -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = copy_repo(tmp_path_factory.mktemp("serve") / "repo")
    server = Served(root)
    yield server
    if server.process.poll() is None:
        assert server.stop() == 0
    assert "Traceback" not in server.err, server.err


@pytest.mark.slow
def test_first_line_and_build(served: Served) -> None:
    assert served.first == f"Serving http://127.0.0.1:{served.port}/ (Ctrl+C to stop)\n"
    status, body = request(served.port, "GET", "/th/systemic-sclerosis.html")
    assert status == 200
    html = body.decode()
    assert 'data-l10n-state="translated"' in html and 'id="l10n-panel"' in html
    assert '<script src="/_l10n/serve.js" defer>' in html
    built = (served.root / "build" / "th" / f"{PAGE}.html").read_text(encoding="utf-8")
    assert "data-l10n" not in built and "_l10n" not in built and "l10n-panel" not in built


@pytest.mark.slow
def test_foreign_host_is_refused(served: Served) -> None:
    for host in ("evil.example", f"evil.example:{served.port}", "127.0.0.1:1"):
        status, _ = request(served.port, "GET", "/", {"Host": host})
        assert 400 <= status < 500, host
    assert request(served.port, "GET", "/", {"Host": f"localhost:{served.port}"})[0] == 200


@pytest.mark.slow
def test_no_file_outside_build(served: Served) -> None:
    (served.root / "build" / "leak.toml").symlink_to(served.root / "pyproject.toml")
    for path in (
        "/..%2f..%2fpyproject.toml",
        "/../pyproject.toml",
        "/%2e%2e/pyproject.toml",
        "/..%252f..%252fpyproject.toml",
        "/th/..%5c..%5cpyproject.toml",
        "/leak.toml",
        "/.l10n-state.json",
    ):
        status, body = request(served.port, "GET", path)
        assert status == 404, path
        assert b"tool.l10n" not in body
    assert request(served.port, "GET", "/assets/page.css")[0] == 200


def _token(served: Served) -> str:
    status, body = request(served.port, "GET", f"/_review/th/{PAGE}")
    assert status == 200
    return re.search(r'<meta name="l10n-token" content="([^"]+)">', body.decode()).group(1)


def _approval(served: Served) -> bytes:
    po = polib.pofile(str(served.root / TH_PO))
    text = EntryText.of(PAGE, entry(po, "Conclusion"))
    return json.dumps(
        {
            "locale": "th",
            "page": PAGE,
            "by": "Test Reviewer",
            "role": "linguist",
            "entries": [
                {
                    "context": text.context,
                    "english": text.english,
                    "translation": text.translation,
                    "line": msgstr_line(served.root / TH_PO, "Conclusion"),
                }
            ],
        }
    ).encode()


@pytest.mark.slow
def test_approvals_only_from_own_pages(served: Served) -> None:
    token = _token(served)
    own = f"http://127.0.0.1:{served.port}"
    ledger = served.root / "locales" / "th" / "approvals.tsv"
    before = ledger.read_bytes() if ledger.exists() else None
    attempts = {
        "cross-origin": {"Origin": "http://evil.example", "X-L10n-Token": token},
        "no origin": {"X-L10n-Token": token},
        "no token": {"Origin": own},
        "wrong token": {"Origin": own, "X-L10n-Token": "x" + token},
    }
    for name, headers in attempts.items():
        status, _ = request(
            served.port,
            "POST",
            "/_review/approve",
            {**headers, "Content-Type": "application/json"},
            _approval(served),
        )
        assert status == 403, name
    assert request(served.port, "GET", "/_review/approve")[0] >= 400
    assert (ledger.read_bytes() if ledger.exists() else None) == before
    status, body = request(
        served.port,
        "POST",
        "/_review/approve",
        {"Origin": own, "X-L10n-Token": token, "Content-Type": "application/json"},
        _approval(served),
    )
    assert status == 200, body
    approvals = load_ledger(served.root / "locales", "th", "approvals.tsv", None).approvals
    assert any(a.reviewer == "Test Reviewer" and a.role == "linguist" for a in approvals)


@pytest.mark.slow
def test_served_build_is_what_l10n_build_writes(served: Served, tmp_path: Path) -> None:
    """What serve writes into build/ is byte for byte what `l10n build -f html` writes."""
    po = served.root / TH_PO
    save_po(po, lambda p: setattr(entry(p, "Conclusion"), "msgstr", "สรุปโดยย่อ"))
    built = served.root / "build" / "th" / f"{PAGE}.html"
    wait_until(lambda: "สรุปโดยย่อ" in built.read_text(encoding="utf-8"), "the rebuild")
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    for name in ("source", "locales"):
        shutil.copytree(served.root / name, fresh / name)
    shutil.copy(served.root / "pyproject.toml", fresh / "pyproject.toml")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(fresh), "build", "-f", "html"],
        env=_env(fresh),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    pages = sorted(p.relative_to(fresh / "build") for p in (fresh / "build").rglob("*.html"))
    assert len(pages) == 10  # 9 locales and the index

    def same() -> bool:
        return all(
            (served.root / "build" / p).read_bytes() == (fresh / "build" / p).read_bytes()
            for p in pages
        )

    wait_until(same, "build/ to match l10n build (the index is written after the pages)")


@pytest.mark.slow
def test_busy_port_exits_2(served: Served) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "-C",
            str(served.root),
            "serve",
            "--port",
            str(served.port),
        ],
        env=_env(served.root),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "in use" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_unknown_locale_exits_2(tmp_path: Path) -> None:
    root = copy_repo(tmp_path / "repo")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(root), "serve", "-l", "xx", "--port", "0"],
        env=_env(root),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "xx" in done.stderr and done.stdout == ""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_stops_cleanly(tmp_path: Path, sig: int) -> None:
    root = copy_repo(tmp_path / "repo")
    server = Served(root, "-l", "th")
    events = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    events.request("GET", "/_l10n/events?key=th/x&v=0")  # an open reload stream
    assert events.getresponse().status == 200
    code = server.stop(sig)
    assert code == 0, server.err
    assert "Traceback" not in server.err and server.lines[-1] == "stopped"
    events.close()
    with socket.socket() as again:  # nothing listens on the port any more
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
        again.bind(("127.0.0.1", server.port))
        again.listen()


# --- in the browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from pipeline.site.browser import find_browser

    try:
        executable = find_browser(None, REPO)
    except L10nError as exc:
        if os.environ.get("L10N_REQUIRE_BROWSER") == "1":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    from playwright.sync_api import sync_playwright

    with sync_playwright() as manager:
        browser = manager.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def th_po(served: Served) -> Iterator[Path]:
    """The served Thai catalog, as it was before the test once the test is done."""
    path = served.root / TH_PO
    original = path.read_bytes()
    yield path
    if path.read_bytes() != original:
        checked = f"checked {TH_PO.as_posix()}"
        before = sum(1 for line in served.lines if line.startswith(checked))
        path.write_bytes(original)
        # the next test finds the page rebuilt, not about to reload under it
        wait_until(
            lambda: sum(1 for line in served.lines if line.startswith(checked)) > before,
            "the restored catalog's rebuild",
        )


def _main_has(page: object, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('main') && document.querySelector('main').textContent"
        ".includes(t)",
        arg=text,
        timeout=60_000,
    )


def test_saved_translation_shows_in_the_open_page(
    served: Served, page: object, th_po: Path
) -> None:
    po = th_po
    page.goto(served.url(f"th/{PAGE}.html"))
    page.evaluate("window.__notReloaded = true")
    save_po(po, lambda p: setattr(entry(p, "Conclusion"), "msgstr", "บทสรุปสำหรับผู้ป่วย"))
    _main_has(page, "บทสรุปสำหรับผู้ป่วย")  # no action in the browser: the page reloaded itself
    assert page.evaluate("window.__notReloaded === undefined")
    heading = page.locator("h2#conclusion")
    assert heading.get_attribute("data-l10n-line") == str(msgstr_line(po, "Conclusion"))


def test_fuzzy_segments_are_marked_with_their_catalog_line(
    served: Served, page: object, th_po: Path
) -> None:
    po = th_po
    page.goto(served.url(f"th/{PAGE}.html"))

    def fuzzy(p: polib.POFile) -> None:
        entry(p, "Conclusion").flags.append("fuzzy")

    save_po(po, fuzzy)
    page.wait_for_selector('h2#conclusion[data-l10n-state="fuzzy"]', timeout=60_000)
    heading = page.locator("h2#conclusion")
    assert heading.inner_text() == "Conclusion" and heading.get_attribute("lang") == "en"
    assert heading.evaluate("e => getComputedStyle(e).outlineStyle") == "dashed"
    line = msgstr_line(po, "Conclusion")
    page.click("#l10n-details summary")  # the panel opens by itself only for findings
    item = page.locator(f'.l10n-work li[data-line="{line}"]')
    assert f"{TH_PO.as_posix()}:{line}" in item.inner_text() and "fuzzy" in item.inner_text()
    heading.hover()
    where = page.locator(".l10n-where").inner_text()
    assert f"{TH_PO.as_posix()}:{line}" in where and "fuzzy" in where
    save_po(po, lambda p: entry(p, "Conclusion").flags.remove("fuzzy"))
    page.wait_for_selector('h2#conclusion[data-l10n-state="translated"]', timeout=60_000)


def test_findings_panel_highlights_the_entry_under_the_pointer(
    served: Served, page: object, th_po: Path
) -> None:
    from pipeline.checks import run_checks

    po = th_po
    english = "The prevalence of systemic sclerosis in Europe"
    original = po.read_bytes()

    def drop_ratio(p: polib.POFile) -> None:
        found = next(e for e in p if e.msgid.startswith(english))
        found.msgstr = found.msgstr.replace("(ประมาณ 4:1) ", "")

    page.goto(served.url(f"th/{PAGE}.html"))
    save_po(po, drop_ratio)
    page.wait_for_selector(".l10n-finding.l10n-error", timeout=60_000)
    expected = [
        f
        for f in run_checks(load(served.root), ["th"]).findings
        if f.path == TH_PO.as_posix() and f.check == "numbers"
    ]
    assert expected, "the check itself finds the dropped ratio"
    line = expected[0].line
    finding = page.locator(f'.l10n-finding[data-line="{line}"]').first
    assert "[numbers]" in finding.inner_text() and "4:1" in finding.inner_text()
    assert f"{TH_PO.as_posix()}:{line}" in finding.inner_text()
    assert page.locator("#l10n-details").get_attribute("open") is not None
    segment = page.locator(f'main [data-l10n-line="{line}"]')
    segment.hover()
    assert "l10n-current" in (finding.get_attribute("class") or "")
    page.locator("h1").hover()
    assert "l10n-current" not in (finding.get_attribute("class") or "")
    po.write_bytes(original)
    page.wait_for_selector(".l10n-finding", state="detached", timeout=60_000)


def test_broken_catalog_shows_in_the_page_and_the_server_goes_on(
    served: Served, page: object, th_po: Path
) -> None:
    po = th_po
    original = po.read_bytes()
    page.goto(served.url(f"th/{PAGE}.html"))
    shown = page.locator("h2#conclusion").inner_text()
    cut = original.index(b'msgid "Conclusion"\nmsgstr "') + len(b'msgid "Conclusion"\nmsgstr "')
    po.write_bytes(original[: cut + 3])  # saved half-written: the string never ends
    problem = page.locator(".l10n-problem").first
    problem.wait_for(timeout=60_000)
    assert TH_PO.as_posix() in problem.inner_text()
    assert re.search(rf"{re.escape(TH_PO.as_posix())}:\d+", problem.inner_text())
    assert page.locator("h2#conclusion").inner_text() == shown  # the last good build
    assert request(served.port, "GET", "/index.html")[0] == 200
    said = [line for line in served.lines if line.startswith(f"error: {TH_PO.as_posix()}:")]
    assert said and "kept the last build of th/systemic-sclerosis" in said[-1]
    po.write_bytes(original)
    page.locator(".l10n-problem").first.wait_for(state="detached", timeout=60_000)
    assert served.process.poll() is None


def test_review_view_approves_into_the_ledger(served: Served, page: object) -> None:
    ledger_path = served.root / "locales" / "th" / "approvals.tsv"
    page.goto(served.url(f"_review/th/{PAGE}"))
    assert page.locator("#l10n-reviewer").is_visible()
    assert page.locator(".l10n-approve").first.is_disabled()  # until the name is given
    page.fill("#l10n-by", "Dr. Ada Reviewer")
    page.fill("#l10n-role", "clinician")
    page.click("#l10n-reviewer button[type=submit]")
    row = page.locator("table.review tbody tr").first
    line = int(row.get_attribute("data-line"))
    shown = EntryText(
        PAGE,
        row.get_attribute("data-context"),
        row.get_attribute("data-english"),
        row.get_attribute("data-translation"),
    )
    row.locator(".l10n-approve").click()
    page.locator("#l10n-status", has_text="Approved 1 entry").wait_for(timeout=60_000)
    ledger = load_ledger(served.root / "locales", "th", "approvals.tsv", None)
    mine = [a for a in ledger.approvals if a.reviewer == "Dr. Ada Reviewer"]
    assert [(a.role, a.text) for a in mine] == [("clinician", shown)]
    text = (served.root / TH_PO).read_text(encoding="utf-8").split("\n")
    po = polib.pofile(str(served.root / TH_PO))
    entry_of_row = next(e for e in po if e.msgid and runner.msgstr_line(text, e, None) == line)
    assert EntryText.of(PAGE, entry_of_row) == shown
    assert ledger_path.read_text(encoding="utf-8").count("Dr. Ada Reviewer") == 1
    page.wait_for_selector(f'tr[data-line="{line}"]', state="detached", timeout=60_000)
    page.locator("#l10n-reviewer-shown").wait_for(state="visible")  # after the reload...
    assert page.locator("#l10n-reviewer").is_hidden()  # ...not asked again in this session
    assert page.locator("#l10n-reviewer-name").inner_text() == "Dr. Ada Reviewer"
    left = page.locator("table.review tbody tr").count()
    assert left > 1
    page.click("#l10n-approve-all")
    page.locator("#l10n-status", has_text=f"Approved {left} entries").wait_for(timeout=60_000)
    ledger = load_ledger(served.root / "locales", "th", "approvals.tsv", None)
    assert len([a for a in ledger.approvals if a.reviewer == "Dr. Ada Reviewer"]) == left + 1
    page.wait_for_selector("table.review tbody tr", state="detached", timeout=60_000)


@pytest.mark.slow
def test_stale_approval_is_refused_and_named(served: Served, th_po: Path) -> None:
    """A row whose translation changed after the page showed it is not approved."""
    token = _token(served)
    body = _approval(served)
    save_po(th_po, lambda p: setattr(entry(p, "Conclusion"), "msgstr", "สรุปใหม่"))
    own = f"http://127.0.0.1:{served.port}"
    status, answer = request(
        served.port,
        "POST",
        "/_review/approve",
        {"Origin": own, "X-L10n-Token": token, "Content-Type": "application/json"},
        body,
    )
    assert status == 409
    refused = json.loads(answer)["refused"]
    assert len(refused) == 1 and refused[0].startswith(f"{TH_PO.as_posix()}:")
    assert "changed" in refused[0]


@pytest.mark.parametrize("width", [1280, 360])
@pytest.mark.parametrize("path", [f"th/{PAGE}.html", f"km/{PAGE}.html", f"_review/th/{PAGE}?all=1"])
def test_served_pages_have_no_axe_violations(
    served: Served, chromium: object, path: str, width: int
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    context = chromium.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(served.url(path))
        page.wait_for_load_state("load")
        if path.startswith("_review"):
            page.evaluate("sessionStorage.clear()")
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        assert results.violations_count == 0, results.generate_report()
        page.screenshot(
            path=str(served.root.parent / f"serve-{path.replace('/', '_')}-{width}.png")
        )
    finally:
        context.close()


def test_open_panel_with_findings_has_no_axe_violations(
    served: Served, chromium: object, th_po: Path
) -> None:
    """The panel open, listing a finding and segments shown in English, at both widths."""
    from axe_playwright_python.sync_playwright import Axe

    def break_two(p: polib.POFile) -> None:
        entry(p, "Conclusion").flags.append("fuzzy")
        found = next(e for e in p if e.msgid.startswith("The prevalence of systemic sclerosis"))
        found.msgstr = found.msgstr.replace("(ประมาณ 4:1) ", "")

    save_po(th_po, break_two)
    for width in (1280, 360):
        context = chromium.new_context(viewport={"width": width, "height": 800})
        try:
            page = context.new_page()
            page.goto(served.url(f"th/{PAGE}.html"))
            page.wait_for_selector(".l10n-finding", timeout=60_000)
            page.wait_for_selector('main [data-l10n-state="fuzzy"]', timeout=60_000)
            assert page.locator("#l10n-details").get_attribute("open") is not None
            page.locator("main [data-l10n-state]").nth(3).hover()
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            assert results.violations_count == 0, results.generate_report()
        finally:
            context.close()
