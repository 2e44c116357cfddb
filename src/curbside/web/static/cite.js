/* Citation previews: hovering or focusing a citation number shows the passage it cites.
   Reading works without this script (the number links to the reference list). */
(function () {
  "use strict";
  var links = document.querySelectorAll("a.cite[data-excerpt]");
  if (!links.length) return;
  var tip = document.createElement("div");
  tip.className = "cite-tip";
  tip.id = "cite-tip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  document.body.appendChild(tip);
  var current = null;

  function show(a) {
    current = a;
    tip.textContent = "";
    var head = document.createElement("strong");
    head.textContent = "[" + a.getAttribute("data-ref") + "] " + (a.getAttribute("data-title") || "");
    var body = document.createElement("p");
    body.textContent = a.getAttribute("data-excerpt");
    tip.appendChild(head);
    tip.appendChild(body);
    tip.hidden = false;
    a.setAttribute("aria-describedby", "cite-tip");
    var r = a.getBoundingClientRect();
    var width = tip.offsetWidth;
    var left = Math.max(8, Math.min(window.scrollX + r.left - 16, window.scrollX + document.documentElement.clientWidth - width - 8));
    tip.style.left = left + "px";
    tip.style.top = (window.scrollY + r.bottom + 6) + "px";
  }

  function hide() {
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    tip.hidden = true;
  }

  Array.prototype.forEach.call(links, function (a) {
    a.addEventListener("mouseenter", function () { show(a); });
    a.addEventListener("focus", function () { show(a); });
    a.addEventListener("mouseleave", hide);
    a.addEventListener("blur", hide);
  });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
})();
