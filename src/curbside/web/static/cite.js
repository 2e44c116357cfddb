/* Citation previews: hovering or focusing a citation number shows the passage it cites,
   the statement's own words marked (data-segments, from its recorded quote).
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
    var segments = null;
    try { segments = JSON.parse(a.getAttribute("data-segments") || "null"); } catch (e) { segments = null; }
    if (segments && segments.length) {
      // the statement's own words marked, what it leaves out of them struck through
      segments.forEach(function (seg) {
        var node;
        if (seg.kind === "quote") {
          node = document.createElement("mark");
          node.textContent = seg.text;
        } else if (seg.kind === "cut") {
          node = document.createElement("del");
          node.className = "cut";
          node.title = "Left out of the statement";
          node.textContent = seg.text;
        } else {
          node = document.createTextNode(seg.text);
        }
        body.appendChild(node);
      });
    } else {
      body.textContent = a.getAttribute("data-excerpt");
    }
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
