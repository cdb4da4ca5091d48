/* KAM shell behaviour: small on purpose. HTMX does the talking; this file wires the details. */
(function () {
  "use strict";

  // CSRF for HTMX: base.html puts the token in hx-headers on <body>; keep it fresh if the cookie rotates.
  document.addEventListener("htmx:configRequest", function (event) {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match && !event.detail.headers["X-CSRFToken"]) {
      event.detail.headers["X-CSRFToken"] = decodeURIComponent(match[1]);
    }
  });

  // Let 422 responses (form errors) be swapped like 200s when a form is submitted through HTMX.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Toasts: success and info messages fade out by themselves; warnings and errors stay until closed.
  function hideToasts(root) {
    matching(root, "[data-kam-autohide]").forEach(function (el) {
      window.setTimeout(function () {
        el.classList.add("kam-fade");
        window.setTimeout(function () { el.remove(); }, 400);
      }, parseInt(el.getAttribute("data-kam-autohide"), 10) || 5000);
    });
  }

  // Live refresh: any element with data-kam-refresh="<seconds>" and hx-get is refreshed on that period
  // while the page is visible (htmx "every" keeps polling in background tabs; this does not).
  var timers = new WeakMap();
  function matching(root, selector) {
    var found = Array.prototype.slice.call((root || document).querySelectorAll(selector));
    if (root && root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }

  function armRefresh(root) {
    matching(root, "[data-kam-refresh]").forEach(function (el) {
      if (timers.has(el)) return;
      var seconds = Math.max(5, parseInt(el.getAttribute("data-kam-refresh"), 10) || 60);
      var id = window.setInterval(function () {
        if (!document.body.contains(el)) { window.clearInterval(id); return; }
        if (document.visibilityState === "visible" && window.htmx) {
          window.htmx.trigger(el, "kam:refresh");
        }
      }, seconds * 1000);
      timers.set(el, id);
    });
  }

  // Close the global search results when clicking elsewhere or pressing Escape.
  function wireSearch() {
    var box = document.getElementById("kam-search");
    var results = document.getElementById("kam-search-results");
    if (!box || !results) return;
    document.addEventListener("click", function (event) {
      if (!box.contains(event.target)) results.classList.remove("show");
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") results.classList.remove("show");
    });
    document.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target === results) {
        results.classList.toggle("show", results.innerHTML.trim() !== "");
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName)) {
        var input = box.querySelector("input[name=q]");
        if (input) { event.preventDefault(); input.focus(); }
      }
    });
  }

  // Copy-to-clipboard buttons: <button data-kam-copy="#element-id">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kam-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-kam-copy"));
    if (!source) return;
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function () {
      var label = button.querySelector("[data-kam-copy-label]");
      if (label) label.textContent = button.getAttribute("data-kam-copied") || "✓";
      button.classList.add("btn-success");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else {
      source.select && source.select();
      document.execCommand("copy");
      done();
    }
  });

  // Export links follow the filters currently in the address bar (HTMX pushes them there).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-kam-export]");
    if (!link) return;
    var url = new URL(window.location.href);
    url.searchParams.delete("page");
    url.searchParams.set("export", link.getAttribute("data-kam-export"));
    link.setAttribute("href", url.pathname + url.search);
  });

  // Confirm before destructive POSTs: <form data-kam-confirm="Really?">.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-kam-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Charts: <div class="kam-chart" data-kam-chart="ID"></div> plus {{ options|json_script:"ID" }}; the page
  // includes core/_echarts.html. Charts are drawn after HTMX swaps too and follow the container's size.
  var PALETTE = ["#2563eb", "#0891b2", "#16a34a", "#f59f00", "#d63939", "#ae3ec9", "#64748b", "#f76707"];
  function drawCharts(root) {
    if (!window.echarts) return;
    matching(root, "[data-kam-chart]").forEach(function (el) {
      if (el.getAttribute("data-kam-drawn")) return;
      var source = document.getElementById(el.getAttribute("data-kam-chart"));
      if (!source) return;
      var options = JSON.parse(source.textContent);
      if (!options.color) options.color = PALETTE;
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(options);
      el.setAttribute("data-kam-drawn", "1");
      if (window.ResizeObserver) new ResizeObserver(function () { chart.resize(); }).observe(el);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    hideToasts();
    armRefresh();
    wireSearch();
    drawCharts();
  });
  document.addEventListener("htmx:load", function (event) {
    hideToasts(event.detail.elt);
    armRefresh(event.detail.elt);
    drawCharts(event.detail.elt);
  });

  window.KAM = { armRefresh: armRefresh, hideToasts: hideToasts, drawCharts: drawCharts };
})();
