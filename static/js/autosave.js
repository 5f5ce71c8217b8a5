// autosave.js saves each answer of the fill-in form as soon as it changes,
// uploads evidence as soon as a file is chosen, and shows the plan fields of
// gaps. Without JavaScript the same form posts everything with its Save button.
// Every page loads it, so it also opens lazily sent <details> (below).

// A closed <details> may send its content as <noscript data-lazy>: with
// JavaScript on, the browser keeps that as text, which is no work while the
// page loads; it becomes markup as the box opens. The click comes before the
// box opens, so the content is there when it is first shown; toggle covers
// a box opened otherwise.
(function () {
  "use strict";
  function expand(details) {
    const lazy = details && details.querySelector(":scope > noscript[data-lazy]");
    if (!lazy) return;
    const tpl = document.createElement("template");
    tpl.innerHTML = lazy.textContent;
    lazy.replaceWith(tpl.content);
  }
  document.addEventListener("click", function (e) {
    const summary = e.target.closest && e.target.closest("summary");
    if (summary && summary.parentElement.tagName === "DETAILS") expand(summary.parentElement);
  }, true);
  document.addEventListener("toggle", function (e) {
    if (e.target.tagName === "DETAILS" && e.target.open) expand(e.target);
  }, true);
})();

(function () {
  "use strict";
  const form = document.getElementById("fill-form");
  if (!form || !form.dataset.autosave) return;
  const base = form.dataset.autosave;
  const csrf = form.querySelector("input[name=_csrf]").value;
  const pending = new Map(); // item id -> timer of its answer save
  const planTimers = new Map(); // item id -> timer of its plan save
  let inflight = 0;

  // data-pending on the form counts saves not yet acknowledged, so people
  // and tests can tell when everything typed has reached the server.
  function mark() { form.dataset.pending = String(pending.size + planTimers.size + inflight); }

  function status(fs, text, cls) {
    const el = fs.querySelector(".save-state");
    if (!el) return;
    el.textContent = text;
    el.className = "save-state " + (cls || "");
  }

  // fileSize shows a byte count as the page does (Page.Size).
  function fileSize(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1) + " MiB";
    if (n >= 1024) return (n / 1024).toFixed(1) + " KiB";
    return n + " B";
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

  // The hidden was.<item> field holds "answer:notehash:version" as last
  // stored; autosave sends the version so a colleague's save in between is
  // refused rather than overwritten, and the Save button knows what changed.
  function wasField(fs) { return fs.querySelector('input[name^="was."]'); }
  function version(fs) {
    const w = wasField(fs);
    return w ? w.value.split(":")[2] || "0" : "";
  }

  function isGap(fs) {
    const checked = fs.querySelector("input[type=radio]:checked");
    return checked && (checked.value === "partial" || checked.value === "non_compliant");
  }

  function showPlan(fs) {
    const tpl = fs.querySelector("template[data-plan-template]");
    if (tpl && isGap(fs)) tpl.replaceWith(tpl.content.cloneNode(true));
    const plan = fs.querySelector("[data-plan]");
    if (plan) plan.hidden = !isGap(fs); // a plan no longer needed stays stored
    fs.classList.toggle("gap", !!isGap(fs));
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
    const note = fs.querySelector('textarea[name^="note."]');
    if (note) body.set("note", note.value);
    body.set("version", version(fs));
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
      if (res.status === 409 && data.was) {
        // Someone else saved this item: show what they saved, keep what this
        // user typed, and take their version so a deliberate re-save can win.
        wasField(fs).value = data.was;
        status(fs, (form.dataset.conflict || "") + " " + data.error, "failed conflict");
        fs.dataset.unsaved = "1";
        return;
      }
      if (!res.ok) throw new Error(data.error || res.statusText);
      const w = wasField(fs);
      if (w && data.was) w.value = data.was;
      status(fs, data.message + " " + new Date(data.saved_at).toLocaleTimeString(), "saved");
      if (data.progress) progress(data.progress);
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

  // Plans save as soon as any field is filled in, as drafts: the answer says
  // which fields submission still needs. The hidden planwas.<item> field
  // ("version:hash") carries the version as for answers.
  function schedulePlan(fs) {
    const id = fs.dataset.item;
    clearTimeout(planTimers.get(id));
    fs.dataset.unsaved = "1";
    planTimers.set(id, setTimeout(function () {
      planTimers.delete(id);
      mark();
      const next = (chains.get("plan:" + id) || Promise.resolve()).then(function () { return sendPlan(fs); });
      chains.set("plan:" + id, next);
    }, 800));
    mark();
  }

  async function sendPlan(fs) {
    const id = fs.dataset.item;
    const field = function (f) { return fs.querySelector('[name="plan.' + f + '.' + CSS.escape(id) + '"]'); };
    const body = new URLSearchParams();
    ["measure", "owner", "due", "status"].forEach(function (f) { body.set(f, field(f).value); });
    const was = fs.querySelector('input[name^="planwas."]');
    body.set("version", was.value.split(":")[0]);
    if (!body.get("measure").trim() && !body.get("owner").trim() && !body.get("due")) {
      return; // nothing typed yet
    }
    inflight++;
    mark();
    try {
      const res = await fetch(base + encodeURIComponent(id) + "/plan", {
        method: "POST",
        headers: { "X-CSRF-Token": csrf, "X-Requested-With": "fetch", "Accept": "application/json" },
        body: body,
        credentials: "same-origin",
      });
      const data = await res.json().catch(function () { return {}; });
      if (data.was) was.value = data.was;
      if (!res.ok) throw new Error(data.error || res.statusText);
      delete fs.dataset.unsaved;
      status(fs, data.message, data.missing && data.missing.length ? "saved draft" : "saved");
    } catch (err) {
      status(fs, "⚠ " + err.message, "failed");
    } finally {
      inflight--;
      mark();
    }
  }

  async function upload(fs, input) {
    const file = input.files && input.files[0];
    if (!file) return;
    const body = new FormData();
    body.set("file", file);
    // The "valid until" date set beside the file input goes with it.
    const until = fs.querySelector("[data-valid-until]");
    if (until && until.value) body.set("valid_until", until.value);
    inflight++;
    mark();
    status(fs, form.dataset.saving || "…", "");
    try {
      const res = await fetch(input.dataset.upload, {
        method: "POST",
        headers: { "X-CSRF-Token": csrf, "X-Requested-With": "fetch", "Accept": "application/json" },
        body: body,
        credentials: "same-origin",
      });
      const data = await res.json().catch(function () { return {}; });
      if (!res.ok) throw new Error(data.error || res.statusText);
      const list = fs.querySelector("[data-evidence] .files");
      const none = list.querySelector("[data-no-files]");
      if (none) none.remove();
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = data.url;
      a.textContent = data.name;
      const small = document.createElement("small");
      small.className = "muted";
      small.textContent = " " + fileSize(data.size) + " · SHA-256 " + data.sha256.slice(0, 12) + "…" +
        (data.valid_until ? " · " + (form.dataset.validLabel || "") + " " + data.valid_until : "");
      if (until) until.value = "";
      li.append(a, small);
      // Its remove button, as the page renders it for files it loaded with:
      // a small form of its own, outside the big one.
      const remove = document.createElement("form");
      remove.method = "post";
      remove.action = data.url + "/delete";
      remove.id = "remove-" + data.id;
      remove.hidden = true;
      const token = document.createElement("input");
      token.type = "hidden";
      token.name = "_csrf";
      token.value = csrf;
      remove.append(token);
      document.body.append(remove);
      const button = document.createElement("button");
      button.type = "submit";
      button.className = "link";
      button.setAttribute("form", remove.id);
      button.textContent = form.dataset.remove || "×";
      li.append(" ", button);
      list.append(li);
      input.value = "";
      status(fs, data.message, "saved");
    } catch (err) {
      input.value = "";
      status(fs, "⚠ " + err.message, "failed");
    } finally {
      inflight--;
      mark();
    }
  }

  form.addEventListener("change", function (e) {
    const fs = e.target.closest("fieldset[data-item]");
    if (!fs) return;
    // A date for the next upload, or a file's own small form: not the item's answer.
    if (e.target.hasAttribute("data-valid-until") || e.target.form !== form) return;
    if (e.target.type === "file") {
      upload(fs, e.target);
      return;
    }
    if (e.target.name.startsWith("plan.")) {
      schedulePlan(fs);
      return;
    }
    if (e.target.type === "radio") showPlan(fs);
    schedule(fs, e.target.type === "radio" ? 0 : 300);
  });
  form.addEventListener("input", function (e) {
    const fs = e.target.closest("fieldset[data-item]");
    if (!fs) return;
    if (e.target.name.startsWith("note.")) schedule(fs, 800);
    else if (e.target.name.startsWith("plan.")) schedulePlan(fs);
  });
  let submitting = false;
  // A field reached with Tab may stop under the sticky save bar (browsers
  // scroll it only just into the window): move it up above the bar.
  const bar = form.querySelector(".form-actions");
  form.addEventListener("focusin", function (e) {
    if (!bar || bar.contains(e.target) || getComputedStyle(bar).position !== "sticky") return;
    const r = e.target.getBoundingClientRect();
    const top = bar.getBoundingClientRect().top;
    const want = Math.min(r.bottom, r.top + 48); // the first lines of a tall field
    if (want > top) window.scrollBy(0, want - top + 8);
  });

  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (e) {
    if (submitting) return;
    if (pending.size > 0 || planTimers.size > 0 || inflight > 0 || form.querySelector("[data-unsaved]")) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
  mark();
})();
