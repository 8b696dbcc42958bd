/* The casing report's offline draft (docs/offline.md). Needs static/draft-store.js before it.

   On the casing form (<form data-offline-draft="<store>:<person>">): every opening of the form gets a new draft
   key (a UUID, in the hidden field `draft_key`). Submitted without a connection, the report is kept on this phone
   and the page says so; it is sent when the phone is back online (the `online` event) or the next time the form
   opens, with a CSRF token fetched fresh. The server files one incident per key, so a draft sent twice (or sent by
   this page and by the browser both) is never filed twice. With the service worker in charge, a report submitted
   online is kept as a draft too until the server answers, so a connection that drops on the way loses nothing.

   On the offline page: says that a draft waits, and opens the form it came from when the phone is back online.
   The page's words come translated from the data-* attributes of this script's own tag. */
(function () {
  "use strict";
  var script = document.currentScript;
  var words = (script && script.dataset) || {};
  var drafts = window.LoupeDrafts;
  if (!drafts || !window.indexedDB) return;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function statusElement(before) {
    var el = document.getElementById("offline-draft-status");
    if (!el) {
      el = document.createElement("p");
      el.id = "offline-draft-status";
      el.className = "flash";
      el.setAttribute("role", "status");
      el.hidden = true;
      before.parentNode.insertBefore(el, before);
    }
    return el;
  }

  function say(el, text, link, linkText) {
    el.textContent = text || "";
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.textContent = linkText || link;
      el.appendChild(document.createTextNode(" "));
      el.appendChild(a);
    }
    el.hidden = !text;
  }

  /* Keep a draft: with its photos when the phone has room for them, else without (and say so). */
  function keep(draft) {
    return drafts.put(draft).then(function () { return true; }, function () {
      if (!draft.files.length) throw new Error("no room");
      draft.files = [];
      return drafts.put(draft).then(function () { return false; });
    });
  }

  var form = document.querySelector("form[data-offline-draft]");

  if (!form) {
    // The offline page: a draft waits; back online, open the form it belongs to, which sends it.
    var waiting = document.getElementById("offline-draft-status");
    if (!waiting) return;
    var first = null;
    var timer = null;
    // "online" can come before the network really answers: ask the server (not the worker's cache) first, and
    // again a little later while it does not answer.
    var tryAgain = function (delay) {
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch("/offline", { cache: "no-store", credentials: "omit" }).then(function () {
          if (first) window.location.assign(first.action);
          else window.location.reload();
        }, function () { tryAgain(Math.min(Math.max(delay * 2, 1000), 30000)); });
      }, delay);
    };
    drafts.all().then(function (list) {
      first = list[0] || null;
      if (first) say(waiting, words.saved);
      if (first && navigator.onLine !== false) tryAgain(2000);
    });
    window.addEventListener("online", function () { tryAgain(0); });
    return;
  }

  var scope = form.dataset.offlineDraft;
  var action = new URL(form.getAttribute("action") || window.location.pathname, window.location.href).pathname;
  var keyField = form.querySelector('input[name="draft_key"]');
  var status = statusElement(form);
  var busy = false;

  function freshKey() { if (keyField) keyField.value = newKey(); }
  // A new key each time the form opens, also when the browser shows it again from its back/forward cache.
  freshKey();
  window.addEventListener("pageshow", function (event) { if (event.persisted) freshKey(); });

  function putBack(draft) {
    draft.fields.forEach(function (pair) {
      if (pair[0] === "draft_key") return;
      var field = form.elements.namedItem(pair[0]);
      if (!field) return;
      var inputs = field.length !== undefined && !field.tagName ? Array.prototype.slice.call(field) : [field];
      inputs.forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") input.checked = input.value === pair[1] || input.checked;
        else if (input.type !== "file") input.value = pair[1];
      });
    });
  }

  function csrfToken() {
    return fetch(action, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok || new URL(response.url).pathname !== action) return null;  // signed out: the sign-in page
      return response.text().then(function (html) {
        var input = new DOMParser().parseFromString(html, "text/html").querySelector('input[name="csrf_token"]');
        return input ? input.value : null;
      });
    });
  }

  /* Send one draft. Resolves with what happened: "sent", "refused", "signin" or "later". */
  function send(draft) {
    return csrfToken().then(function (token) {
      if (!token) return "signin";
      var body = drafts.toFormData(draft, token);
      return fetch(draft.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (response) {
        var landed = new URL(response.url).pathname;
        if (response.ok && response.redirected && /\/logbook\/\d+\/?$/.test(landed)) {
          return drafts.remove(draft.key).then(function () { say(status, words.sent, response.url, words.open); return "sent"; });
        }
        if (response.status >= 400 && response.status < 500 && response.status !== 429) {
          // Refused as it was (the form's checks, too large): nothing was filed. Back into the form, for the person
          // to check and save again.
          return drafts.remove(draft.key).then(function () { putBack(draft); say(status, words.refused); return "refused"; });
        }
        if (response.redirected && landed !== action) return "signin";
        return "later";  // the server is busy or failing: keep it, try again later
      });
    }, function () { return "later"; });
  }

  var retryTimer = null;
  var retryDelay = 2000;

  /* Try again later (the network may answer a moment after the "online" event, or the server is busy). */
  function later() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sendWaiting, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }

  function sendWaiting() {
    if (busy || navigator.onLine === false) return Promise.resolve();
    busy = true;
    return drafts.all().then(function (list) {
      var mine = list.filter(function (d) { return d.scope === scope && d.action === action; });
      return mine.reduce(function (chain, draft) {
        return chain.then(function (stop) {
          if (stop) return stop;
          return send(draft).then(function (outcome) {
            if (outcome === "signin") { say(status, words.signIn); return true; }
            if (outcome === "later") { say(status, words.saved); later(); return true; }
            return false;
          });
        });
      }, Promise.resolve(false));
    }).catch(function () {}).then(function () { busy = false; });
  }

  form.addEventListener("submit", function (event) {
    var offline = navigator.onLine === false;
    var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (!offline && !worker) return;  // an ordinary submit
    if (offline && !form.checkValidity()) { event.preventDefault(); form.reportValidity(); return; }
    event.preventDefault();
    var draft = drafts.fromFormData(new FormData(form), {
      key: keyField ? keyField.value : newKey(), scope: scope, action: action, state: offline ? "pending" : "sending"
    });
    keep(draft).then(function (withPhotos) {
      if (!offline) { form.submit(); return; }  // the service worker removes the draft when the server answers
      say(status, withPhotos ? words.saved : words.savedNoPhotos);
      form.reset();
      freshKey();
      status.setAttribute("tabindex", "-1");
      status.focus();  // said at once to a screen reader, and the form's top is in view again
    }, function () {
      if (!offline) form.submit();
      else say(status, words.failed);
    });
  });

  window.addEventListener("online", function () { retryDelay = 2000; sendWaiting(); });
  sendWaiting();
})();
