// AgentMark UI: theme toggle, keyboard navigation and the span tree. No
// build step; htmx does the fetching.
(function () {
  var KEY = "agentmark-theme";
  var saved = null;
  try { saved = localStorage.getItem(KEY); } catch (e) {}
  if (saved === "light" || saved === "dark") document.documentElement.setAttribute("data-theme", saved);

  function dark() {
    var t = document.documentElement.getAttribute("data-theme");
    if (t) return t === "dark";
    return window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".nav-rows tbody tr[data-href]")); }
  function spans() { return Array.prototype.slice.call(document.querySelectorAll("#span-tree .sr")).filter(function (r) { return !r.hidden; }); }

  function selectSpan(row, load) {
    var tree = document.getElementById("span-tree");
    if (!tree || !row) return;
    var prev = tree.querySelector(".sr.sel");
    if (prev) { prev.classList.remove("sel"); prev.setAttribute("aria-selected", "false"); prev.tabIndex = -1; }
    row.classList.add("sel"); row.setAttribute("aria-selected", "true"); row.tabIndex = 0; row.focus({ preventScroll: false });
    if (load && window.htmx) {
      htmx.ajax("GET", tree.getAttribute("data-span-url") + encodeURIComponent(row.getAttribute("data-id")), { target: "#span-detail", swap: "innerHTML" });
      var u = new URL(location.href); u.searchParams.set("span", row.getAttribute("data-id")); history.replaceState(null, "", u);
    }
  }

  // setOpen shows or hides the descendants of a span row.
  function setOpen(row, open) {
    if (!row.hasAttribute("aria-expanded")) return;
    row.setAttribute("aria-expanded", open ? "true" : "false");
    var d = +row.getAttribute("data-d"), hideBelow = open ? -1 : d, n = row.nextElementSibling;
    var closedAt = [];
    while (n && +n.getAttribute("data-d") > d) {
      var nd = +n.getAttribute("data-d");
      if (!open) { n.hidden = true; }
      else {
        while (closedAt.length && nd <= closedAt[closedAt.length - 1]) closedAt.pop();
        n.hidden = closedAt.length > 0;
        if (n.getAttribute("aria-expanded") === "false" && !n.hidden) closedAt.push(nd);
      }
      n = n.nextElementSibling;
    }
  }

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t.closest && t.closest("#theme-toggle")) {
      var next = dark() ? "light" : "dark";
      document.documentElement.setAttribute("data-theme", next);
      try { localStorage.setItem(KEY, next); } catch (err) {}
      return;
    }
    var tw = t.closest && t.closest("#span-tree .tw");
    if (tw && tw.tagName === "BUTTON") {
      var r = tw.closest(".sr"); setOpen(r, r.getAttribute("aria-expanded") === "false"); e.stopPropagation(); return;
    }
    var sr = t.closest && t.closest("#span-tree .sr");
    if (sr) { selectSpan(sr, true); return; }
    var tb = t.closest && t.closest("[data-tree]");
    if (tb) {
      var open = tb.getAttribute("data-tree") === "expand";
      document.querySelectorAll("#span-tree .sr[aria-expanded]").forEach(function (r) { r.setAttribute("aria-expanded", open ? "true" : "false"); });
      document.querySelectorAll("#span-tree .sr").forEach(function (r) { r.hidden = !open && +r.getAttribute("data-d") > 0; });
      return;
    }
    var tr = t.closest && t.closest(".nav-rows tbody tr[data-href]");
    if (tr && !t.closest("a,button,input,label,select,textarea,summary")) {
      if (e.metaKey || e.ctrlKey) window.open(tr.getAttribute("data-href")); else location.href = tr.getAttribute("data-href");
    }
  });

  document.addEventListener("input", function (e) {
    if (e.target.id !== "span-filter") return;
    var q = e.target.value.toLowerCase();
    document.querySelectorAll("#span-tree .sr").forEach(function (r) {
      r.hidden = q !== "" && r.querySelector(".n").textContent.toLowerCase().indexOf(q) < 0;
    });
  });

  var pendingG = false;
  document.addEventListener("keydown", function (e) {
    var t = e.target, typing = /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) || t.isContentEditable;
    if (e.key === "Escape" && typing) { t.blur(); return; }
    if (typing || e.metaKey || e.ctrlKey || e.altKey) return;
    if (t.closest && t.closest("#span-tree")) {
      var list = spans(), i = list.indexOf(t.closest(".sr"));
      if (e.key === "ArrowDown" || e.key === "j") { e.preventDefault(); selectSpan(list[Math.min(i + 1, list.length - 1)], false); return; }
      if (e.key === "ArrowUp" || e.key === "k") { e.preventDefault(); selectSpan(list[Math.max(i - 1, 0)], false); return; }
      if (e.key === "ArrowLeft") { setOpen(list[i], false); return; }
      if (e.key === "ArrowRight") { setOpen(list[i], true); return; }
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); selectSpan(list[i], true); return; }
    }
    if (pendingG) {
      pendingG = false;
      var dest = { t: "traces", s: "sessions", d: "dashboard", e: "experiments", p: "prompts" }[e.key];
      var link = dest && document.querySelector('.top nav a[href$="/' + dest + '"]');
      if (link) { location.href = link.href; }
      return;
    }
    if (e.key === "g") { pendingG = true; setTimeout(function () { pendingG = false; }, 1200); return; }
    if (e.key === "/") {
      var s = document.querySelector("[data-hotkey='/']") || document.getElementById("span-filter");
      if (s) { e.preventDefault(); s.focus(); s.select && s.select(); }
      return;
    }
    var rs = rows();
    if (!rs.length) return;
    var cur = rs.findIndex(function (r) { return r.classList.contains("kb"); });
    if (e.key === "j" || e.key === "k") {
      e.preventDefault();
      if (cur >= 0) rs[cur].classList.remove("kb");
      cur = e.key === "j" ? Math.min(cur + 1, rs.length - 1) : Math.max(cur - 1, 0);
      rs[cur].classList.add("kb"); rs[cur].scrollIntoView({ block: "nearest" });
    } else if (e.key === "Enter" && cur >= 0) {
      location.href = rs[cur].getAttribute("data-href");
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var sel = document.querySelector("#span-tree .sr.sel");
    if (sel) sel.scrollIntoView({ block: "nearest" });
  });
})();
