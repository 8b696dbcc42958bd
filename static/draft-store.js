/* Casing report drafts kept on this phone (IndexedDB), shared by the pages and the service worker.
   A draft: {key, scope, action, fields: [[name, value]], files: [[name, Blob, filename]], savedAt, state}
   - key: the draft key (a UUID) the server files the report under, so a draft sent twice files one incident;
   - scope: "<store slug>:<person id>": a draft is only ever sent by the person who wrote it, to that store;
   - state: "pending" (saved offline, to send) or "sending" (sent by the browser; the service worker removes it
     when the server answers). Nothing of the store is kept here once its draft is sent. See docs/offline.md. */
(function (root) {
  "use strict";
  var DB_NAME = "loupe-drafts";
  var STORE = "drafts";

  function open() {
    return new Promise(function (resolve, reject) {
      var request = root.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : undefined); };
        tx.onerror = function () { db.close(); reject(tx.error); };
        tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }

  var store = {
    put: function (draft) { return run("readwrite", function (s) { s.put(draft); }); },
    get: function (key) { return run("readonly", function (s) { return s.get(key); }); },
    all: function () { return run("readonly", function (s) { return s.getAll(); }); },
    remove: function (key) { return run("readwrite", function (s) { s.delete(key); }); },

    /* A draft from a form's FormData: text fields as typed, chosen boxes, photos as Blobs (no CSRF token: a
       fresh one is fetched when it is sent). */
    fromFormData: function (data, meta) {
      var fields = [];
      var files = [];
      data.forEach(function (value, name) {
        if (name === "csrf_token") return;
        if (typeof value === "string") fields.push([name, value]);
        else if (value && value.size) files.push([name, value, value.name || "photo"]);
      });
      return {
        key: meta.key, scope: meta.scope, action: meta.action, fields: fields, files: files,
        savedAt: new Date().toISOString(), state: meta.state || "pending"
      };
    },

    toFormData: function (draft, csrfToken) {
      var data = new FormData();
      data.append("csrf_token", csrfToken);
      draft.fields.forEach(function (pair) { data.append(pair[0], pair[1]); });
      (draft.files || []).forEach(function (item) { data.append(item[0], item[1], item[2]); });
      return data;
    }
  };
  root.LoupeDrafts = store;
})(self);
