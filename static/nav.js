/* The header on a phone: the menu folds behind its "Menu" button; open dropdowns (More, the store switcher, the
   account menu) close on Escape or a click elsewhere. Without this script the menu simply stays unfolded. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function closeDropdowns(except) {
    document.querySelectorAll("details.dropdown[open]").forEach(function (d) {
      if (d !== except) { d.removeAttribute("open"); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      if (!nav.children.length) { toggle.classList.add("menu-empty"); }
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        nav.classList.toggle("open", open);
      });
    }
    document.querySelectorAll("details.dropdown").forEach(function (d) {
      d.addEventListener("toggle", function () { if (d.open) { closeDropdowns(d); } });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest("details.dropdown")) { closeDropdowns(null); }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      var open = document.querySelector("details.dropdown[open]");
      if (open) { open.removeAttribute("open"); open.querySelector("summary").focus(); }
      else if (toggle && toggle.getAttribute("aria-expanded") === "true") { toggle.click(); toggle.focus(); }
    });
  });
})();
