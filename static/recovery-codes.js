// Copy and Print for the recovery codes page: shown only when the browser can do them (the download link works
// without any script).
document.querySelectorAll("[data-copy]").forEach(function (button) {
  if (!navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var list = document.getElementById(button.getAttribute("data-copy"));
    var text = Array.from(list.querySelectorAll("code")).map(function (c) { return c.textContent; }).join("\n");
    navigator.clipboard.writeText(text).then(function () { button.textContent = "Copied"; });
  });
});
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
