// The live review sheet: the reviewer's name and role are asked once per browser
// session; Approve posts exactly the texts the row shows, with this page's token.
(function () {
  "use strict";
  const STORE = "l10n-reviewer";
  const STATUS = "l10n-review-status";
  const form = document.getElementById("l10n-reviewer");
  if (!form) return;
  const shown = document.getElementById("l10n-reviewer-shown");
  const status = document.getElementById("l10n-status");
  const page = document.querySelector('meta[name="l10n-page"]');
  const token = document.querySelector('meta[name="l10n-token"]').content;
  const APPROVABLE = ["unapproved", "changed", "approved"];
  // An Approve button in each row that can be approved, beside its findings.
  document.querySelectorAll("table.review tbody tr").forEach((row) => {
    if (!APPROVABLE.includes(row.dataset.state)) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "l10n-approve";
    button.textContent = "Approve";
    button.setAttribute("aria-label", `Approve line ${row.dataset.line}`);
    row.querySelector("td.checks").appendChild(button);
  });
  const buttons = () => document.querySelectorAll(".l10n-approve, #l10n-approve-all");

  const reviewer = () => {
    try {
      return JSON.parse(sessionStorage.getItem(STORE));
    } catch (error) {
      return null;
    }
  };

  const show = () => {
    const who = reviewer();
    form.hidden = Boolean(who);
    shown.hidden = !who;
    buttons().forEach((button) => { button.disabled = !who; });
    if (who) {
      document.getElementById("l10n-reviewer-name").textContent = who.by;
      document.getElementById("l10n-reviewer-role").textContent = who.role;
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const by = form.elements.by.value.trim();
    const role = form.elements.role.value.trim();
    if (!by || !form.elements.role.checkValidity()) {
      form.reportValidity();
      return;
    }
    sessionStorage.setItem(STORE, JSON.stringify({ by: by, role: role }));
    show();
  });
  document.getElementById("l10n-reviewer-change").addEventListener("click", () => {
    const who = reviewer();
    sessionStorage.removeItem(STORE);
    if (who) {
      form.elements.by.value = who.by;
      form.elements.role.value = who.role;
    }
    show();
    form.elements.by.focus();
  });

  const saved = sessionStorage.getItem(STATUS);
  if (saved) {
    sessionStorage.removeItem(STATUS);
    status.textContent = saved;
  }

  const approve = async (rows) => {
    const who = reviewer();
    if (!who) {
      show();
      form.elements.by.focus();
      return;
    }
    const entries = rows.map((row) => ({
      context: row.dataset.context,
      english: row.dataset.english,
      translation: row.dataset.translation,
      line: Number(row.dataset.line),
    }));
    buttons().forEach((button) => { button.disabled = true; });
    status.textContent = "Saving…";
    try {
      const response = await fetch("/_review/approve", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-L10n-Token": token },
        body: JSON.stringify({
          locale: page.dataset.locale,
          page: page.content,
          by: who.by,
          role: who.role,
          entries: entries,
        }),
      });
      const answer = await response.json();
      status.textContent = answer.message;
      if (response.ok) sessionStorage.setItem(STATUS, answer.message);
    } catch (error) {
      status.textContent = "The approval was not saved: the server did not answer.";
    }
    show();
  };

  document.querySelectorAll(".l10n-approve").forEach((button) => {
    button.addEventListener("click", () => approve([button.closest("tr")]));
  });
  const all = document.getElementById("l10n-approve-all");
  if (all) {
    all.addEventListener("click", () => {
      const rows = Array.from(document.querySelectorAll(".l10n-approve")).map((b) => b.closest("tr"));
      approve(rows);
    });
  }
  show();
})();
