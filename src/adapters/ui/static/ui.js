// runplane ui: the few behaviours a server-rendered page cannot have on its own.
(function () {
  "use strict";

  // A graph node opens its step's panel; a map's node ("*") opens its first iteration
  // that failed, else its first one, as listed in the steps table.
  function wireGraph() {
    document.querySelectorAll("#graph g.node").forEach(function (node) {
      node.addEventListener("click", function () {
        var path = node.dataset.path;
        if (path.indexOf("*") >= 0) {
          var pattern = new RegExp("^" + path.split(".").map(function (part) {
            return part === "*" ? "[^.]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          }).join("\\.") + "$");
          var rows = Array.prototype.slice.call(document.querySelectorAll("#steps tbody tr"));
          var matching = rows.filter(function (row) { return pattern.test(row.cells[0].textContent); });
          var failed = matching.filter(function (row) { return row.querySelector(".status.fail"); });
          var pick = failed[0] || matching[0];
          if (!pick) { return; }
          path = pick.cells[0].textContent;
        }
        var url = new URL(window.location.href);
        url.searchParams.set("step", path);
        window.location.href = url.toString();
      });
    });
  }

  // Checked runs go to the compare page as one `runs=a,b` parameter.
  function wireCompare() {
    var form = document.getElementById("compare-form");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      var picked = Array.prototype.map.call(
        form.querySelectorAll("input.pick:checked"), function (box) { return box.value; });
      if (picked.length < 2) {
        event.preventDefault();
        window.alert("check at least two runs to compare");
        return;
      }
      document.getElementById("compare-runs").value = picked.join(",");
      form.querySelectorAll("input.pick").forEach(function (box) { box.disabled = true; });
    });
  }

  // While a run runs, the page re-reads itself every few seconds and swaps its content.
  function liveRefresh() {
    if (document.body.dataset.live !== "1") { return; }
    window.setTimeout(function () {
      // Someone typing in a filter or ticking runs to compare keeps the page as it is.
      var active = document.activeElement;
      var main = document.getElementById("main");
      var ticked = main.querySelector("input.pick:checked");
      if ((active && active !== document.body && main.contains(active)) || ticked) {
        liveRefresh();
        return;
      }
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(function (text) {
          var fresh = new DOMParser().parseFromString(text, "text/html");
          document.getElementById("main").innerHTML = fresh.getElementById("main").innerHTML;
          document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
          if (fresh.body.dataset.live !== "1") {
            delete document.body.dataset.live;
            var badge = document.getElementById("live");
            if (badge) { badge.remove(); }
          }
          wireGraph();
          wireCompare();
          liveRefresh();
        })
        .catch(function () { window.setTimeout(liveRefresh, 3000); });
    }, 3000);
  }

  wireGraph();
  wireCompare();
  liveRefresh();
  document.body.setAttribute("data-ready", "1");
})();
