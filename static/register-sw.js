/* Registers Loupe's service worker (static/sw.js, served at the site's root; docs/offline.md). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script || !script.dataset.worker) return;
  navigator.serviceWorker.register(script.dataset.worker, { scope: "/" }).catch(function () {
    // Not installable here (an old browser, a private window): Loupe works as an ordinary site.
  });
})();
