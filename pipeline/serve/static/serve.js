// Only on pages `l10n serve` serves: reload when the server says this page changed, and
// show where the segment under the pointer stands in its catalog.
(function () {
  "use strict";
  const meta = (name) => {
    const found = document.querySelector(`meta[name="${name}"]`);
    return found ? found.content : null;
  };

  // A reload keeps the reader where they were.
  const spot = "l10n-scroll:" + location.pathname + location.search;
  const saved = sessionStorage.getItem(spot);
  if (saved !== null) {
    sessionStorage.removeItem(spot);
    window.scrollTo(0, Number(saved));
  }

  const key = meta("l10n-key");
  if (key !== null && window.EventSource) {
    const query = new URLSearchParams({ key: key, v: meta("l10n-version") || "0" });
    const events = new EventSource("/_l10n/events?" + query.toString());
    events.addEventListener("reload", () => {
      sessionStorage.setItem(spot, String(window.scrollY));
      events.close();
      location.reload();
    });
  }

  const panel = document.getElementById("l10n-panel");
  if (!panel) return;
  const details = document.getElementById("l10n-details");
  const remembered = sessionStorage.getItem("l10n-panel-open");
  if (remembered !== null) details.open = remembered === "1";
  details.addEventListener("toggle", () => {
    sessionStorage.setItem("l10n-panel-open", details.open ? "1" : "0");
  });

  const catalog = panel.dataset.catalog;
  const where = panel.querySelector(".l10n-where");
  const labels = {
    translated: "translated",
    fuzzy: "fuzzy: shown in English until the fuzzy flag is cleared",
    untranslated: "untranslated: shown in English",
    missing: "not in the catalog: run l10n extract and l10n update",
    unsafe: "translation refused by a safety check: shown in English",
  };
  let current = null;

  const point = (element) => {
    if (element === current) return;
    if (current) current.classList.remove("l10n-pointed");
    panel.querySelectorAll(".l10n-current").forEach((item) => item.classList.remove("l10n-current"));
    current = element;
    if (!element) return;
    element.classList.add("l10n-pointed");
    const line = element.dataset.l10nLine;
    const state = labels[element.dataset.l10nState] || element.dataset.l10nState;
    where.textContent = line ? `${catalog}:${line} · ${state}` : `${catalog} · ${state}`;
    if (!line) return;
    panel.querySelectorAll(`li[data-line="${line}"]`).forEach((item) => {
      if (item.dataset.path === catalog) item.classList.add("l10n-current");
    });
  };

  document.addEventListener("mouseover", (event) => {
    if (panel.contains(event.target)) return;
    point(event.target.closest("main [data-l10n-state]"));
  });
})();
