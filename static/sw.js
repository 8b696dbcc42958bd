/* Loupe's service worker (served at /sw.js, scope "/"). See docs/offline.md.

   It caches the app shell only — the stylesheet, the scripts, the icons, the manifest and the offline page, none of
   which holds anything of a person or a store — and NEVER a page, a photo or any other answer of the app: those
   can hold a store's data, and a phone can be shared. Pages always come from the network; without one, the offline
   page is shown instead. */
"use strict";

var VERSION = "__VERSION__";
var CACHE = "loupe-shell-" + VERSION;
var SHELL = "__SHELL__";
var OFFLINE_URL = "/offline";

importScripts("/static/draft-store.js");

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // `no-store` on every answer of the app is for HTTP caches; the shell is fetched fresh and kept here.
      return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload", credentials: "omit" }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("loupe-shell-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isShell(url) {
  return url.origin === self.location.origin && SHELL.indexOf(url.pathname) !== -1 && url.pathname !== OFFLINE_URL;
}

/* A casing report the browser is sending as a form: the page saved it as a draft first ("sending"). What becomes of
   the draft depends on the answer:
   - none (no connection, the connection dropped): kept ("pending"), and the offline page says so;
   - a redirect (filed, or sent to sign in: a worker cannot read where to): "landing", settled by the page the
     browser lands on next — the report's page: removed; anything else: kept;
   - the casing form again (refused, shown as typed): removed, the person sees their report;
   - anything else (the form had expired — CSRF —, read-only, server trouble, busy): kept, the casing page sends it
     again with a fresh token the next time it opens. */
var landing = false;

function settle(key, state) {
  return LoupeDrafts.get(key).then(function (draft) {
    if (!draft) return;
    if (!state) return LoupeDrafts.remove(key);
    draft.state = state;
    return LoupeDrafts.put(draft);
  }).catch(function () {});
}

function settleLanding(url) {
  landing = false;
  var filed = /\/logbook\/\d+\/?$/.test(url.pathname);
  return LoupeDrafts.all().then(function (list) {
    return Promise.all(list.filter(function (d) { return d.state === "landing"; }).map(function (d) {
      return settle(d.key, filed ? null : "pending");
    }));
  }).catch(function () {});
}

function sendForm(request) {
  var copy = request.clone();
  var keyOf = copy.formData().then(function (data) { return data.get("draft_key") || ""; }, function () { return ""; });
  return fetch(request).then(function (response) {
    return keyOf.then(function (key) {
      if (!key) return response;
      if (response.type === "opaqueredirect") {
        landing = true;
        return settle(key, "landing").then(function () { return response; });
      }
      return response.clone().text().then(function (html) {
        var formAgain = html.indexOf('name="draft_key"') !== -1;
        return settle(key, formAgain ? null : "pending");
      }).then(function () { return response; }, function () { return response; });
    });
  }, function () {
    return keyOf.then(function (key) {
      return (key ? settle(key, "pending") : Promise.resolve()).then(function () {
        return Response.redirect(OFFLINE_URL + (key ? "?draft=" + encodeURIComponent(key) : ""), 303);
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && request.method === "POST") {
    if (/\/logbook\/casing$/.test(url.pathname)) event.respondWith(sendForm(request));
    return;
  }
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    if (landing) event.waitUntil(settleLanding(url));
    // Pages: the network only (never stored). Without a connection, the offline page.
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE_URL, { cacheName: CACHE });
    }));
    return;
  }
  if (isShell(url)) {
    // The shell: from the cache (it is versioned with this worker), else the network.
    event.respondWith(caches.match(request, { cacheName: CACHE, ignoreSearch: true }).then(function (hit) {
      return hit || fetch(request);
    }));
  }
  // Everything else (photos, exports, the API...): not touched, so never cached here.
});
