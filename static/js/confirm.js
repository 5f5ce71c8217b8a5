// confirm.js shows the submission's confirmation step in a dialog on the
// fill-in page. Without JavaScript the Submit button saves the form and
// leads to the same step as a page; here the button fetches that page and
// shows its #submit-confirm section, whose form makes the one submission.
(function () {
  "use strict";
  const button = document.querySelector("button[data-confirm]");
  if (!button || typeof HTMLDialogElement === "undefined") return;
  const form = button.form;

  // settled waits until autosave has stored everything typed, so the score
  // shown is the one that will be submitted.
  function settled() {
    return new Promise(function (resolve) {
      let tries = 0;
      (function wait() {
        if (!form.dataset.pending || form.dataset.pending === "0" || tries++ > 50) return resolve();
        setTimeout(wait, 100);
      })();
    });
  }

  button.addEventListener("click", function (ev) {
    ev.preventDefault();
    settled().then(function () {
      return fetch(button.dataset.confirm, { credentials: "same-origin", headers: { Accept: "text/html" } });
    }).then(function (res) {
      if (!res.ok) throw new Error(String(res.status));
      return res.text();
    }).then(function (html) {
      const doc = new DOMParser().parseFromString(html, "text/html");
      const section = doc.getElementById("submit-confirm");
      if (!section) throw new Error("no confirmation");
      let dialog = document.getElementById("submit-dialog");
      if (!dialog) {
        dialog = document.createElement("dialog");
        dialog.id = "submit-dialog";
        document.body.appendChild(dialog);
      }
      dialog.replaceChildren(document.importNode(section, true));
      dialog.querySelectorAll("[data-cancel]").forEach(function (a) {
        a.addEventListener("click", function (e) { e.preventDefault(); dialog.close(); });
      });
      dialog.showModal();
    }).catch(function () {
      // The page itself still asks: fall back to the no-JavaScript path.
      window.location.href = button.dataset.confirm;
    });
  });
})();
