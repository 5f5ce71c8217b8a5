// autosave.js saves each answer of the fill-in form as soon as it changes.
// Without JavaScript the same form posts everything with its Save button.
(function () {
  "use strict";
  const form = document.getElementById("fill-form");
  if (!form || !form.dataset.autosave) return;
  const base = form.dataset.autosave;
  const csrf = form.querySelector("input[name=_csrf]").value;
  const pending = new Map(); // item id -> timer
  let inflight = 0;

  // data-pending on the form counts saves not yet acknowledged, so people
  // and tests can tell when everything typed has reached the server.
  function mark() { form.dataset.pending = String(pending.size + inflight); }

  function status(fs, text, cls) {
    const el = fs.querySelector(".save-state");
    if (!el) return;
    el.textContent = text;
    el.className = "save-state " + (cls || "");
  }

  function progress(data) {
    const a = document.querySelector("[data-progress-answered]");
    if (a) a.textContent = data.answered;
    const bar = document.querySelector("[data-progress-bar]");
    if (bar) bar.value = data.answered;
    (data.themes || []).forEach(function (t) {
      const el = document.querySelector('[data-theme-progress="' + CSS.escape(t.id) + '"]');
      if (el) el.textContent = t.answered;
    });
  }

  // Saves of one item run one after another, each sending the fields as they
  // are when it starts, so an older save can never land after a newer one.
  const chains = new Map(); // item id -> promise of its last save
  function save(fs) {
    const id = fs.dataset.item;
    const next = (chains.get(id) || Promise.resolve()).then(function () { return send(fs); });
    chains.set(id, next);
    next.finally(function () { if (chains.get(id) === next) chains.delete(id); });
  }

  async function send(fs) {
    const id = fs.dataset.item;
    const body = new URLSearchParams();
    const checked = fs.querySelector("input[type=radio]:checked");
    if (checked) body.set("answer", checked.value);
    const note = fs.querySelector("textarea");
    if (note) body.set("note", note.value);
    inflight++;
    mark();
    status(fs, form.dataset.saving || "…", "");
    try {
      const res = await fetch(base + encodeURIComponent(id), {
        method: "POST",
        headers: { "X-CSRF-Token": csrf, "X-Requested-With": "fetch", "Accept": "application/json" },
        body: body,
        credentials: "same-origin",
      });
      const data = await res.json().catch(function () { return {}; });
      if (!res.ok) throw new Error(data.error || res.statusText);
      fs.classList.toggle("gap", data.answer === "partial" || data.answer === "non_compliant");
      status(fs, data.message + " " + new Date(data.saved_at).toLocaleTimeString(), "saved");
      progress(data);
    } catch (err) {
      // Keep what the user typed; the Save button still posts the whole form.
      status(fs, "⚠ " + err.message, "failed");
      fs.dataset.unsaved = "1";
    } finally {
      inflight--;
      mark();
    }
  }

  function schedule(fs, delay) {
    const id = fs.dataset.item;
    clearTimeout(pending.get(id));
    fs.dataset.unsaved = "1";
    pending.set(id, setTimeout(function () {
      pending.delete(id);
      delete fs.dataset.unsaved;
      mark();
      save(fs);
    }, delay));
    mark();
  }

  form.addEventListener("change", function (e) {
    const fs = e.target.closest("fieldset[data-item]");
    if (fs) schedule(fs, e.target.type === "radio" ? 0 : 300);
  });
  form.addEventListener("input", function (e) {
    const fs = e.target.closest("fieldset[data-item]");
    if (fs && e.target.tagName === "TEXTAREA") schedule(fs, 800);
  });
  let submitting = false;
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (e) {
    if (submitting) return;
    if (pending.size > 0 || inflight > 0 || form.querySelector("[data-unsaved]")) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
})();
