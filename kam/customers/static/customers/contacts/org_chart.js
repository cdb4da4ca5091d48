/* The decision tree of a customer (ECharts tree). Drag a node onto another to change whom it reports to;
   drop it on the customer (top) node to make it a root. The same move is offered as a small form. */
(function () {
  "use strict";

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function flatten(nodes, out) {
    nodes.forEach(function (n) { out.push(n); flatten(n.children || [], out); });
    return out;
  }

  function toTree(data, texts) {
    function convert(n) {
      var left = n.left_company;
      var label = n.name + (n.key_person ? " ★" : "");
      var sub = n.buying_role_label + (n.attitude !== null ? " · " + (n.attitude > 0 ? "+" : "") + n.attitude : "");
      return {
        name: label, id: n.id, raw: n, value: sub,
        symbol: n.key_person ? "diamond" : "circle",
        symbolSize: n.key_person ? 20 : 14,
        itemStyle: { color: n.colour, borderColor: n.key_person ? "#d4a017" : (left ? "#bbbbbb" : "#555555"),
                     borderWidth: n.key_person ? 3 : 1, borderType: left ? "dashed" : "solid", opacity: left ? 0.6 : 1 },
        label: { color: left ? "#9ca3af" : "#1f2937" },
        children: (n.children || []).map(convert)
      };
    }
    return { name: data.customer_name, id: 0, raw: null, symbol: "roundRect", symbolSize: [18, 12],
             itemStyle: { color: "#1d4ed8" }, children: data.roots.map(convert) };
  }

  function render(chart, data, texts) {
    chart.setOption({
      tooltip: { trigger: "item", formatter: function (p) {
        var n = p.data.raw;
        if (!n) return p.data.name;
        var lines = ["<b>" + n.name + "</b>" + (n.title ? " · " + n.title : ""), n.department || "",
                     texts.role + ": " + n.buying_role_label];
        if (n.attitude !== null) lines.push(texts.attitude + ": " + (n.attitude > 0 ? "+" : "") + n.attitude + " " + n.attitude_label);
        if (n.key_person) lines.push("★ " + texts.key);
        if (n.left_company) lines.push(texts.left);
        return lines.filter(Boolean).join("<br>");
      } },
      series: [{
        type: "tree", data: [toTree(data, texts)], orient: "TB", roam: "scale", expandAndCollapse: false,
        top: 40, bottom: 60, left: 30, right: 30, initialTreeDepth: -1,
        label: { position: "bottom", distance: 6, fontSize: 12,
                 formatter: function (p) { return p.data.raw ? "{n|" + p.data.name + "}\n{r|" + p.data.value + "}" : "{c|" + p.data.name + "}"; },
                 rich: { n: { fontWeight: "bold", lineHeight: 16 }, r: { color: "#6b7280", fontSize: 11 }, c: { fontWeight: "bold" } } },
        leaves: { label: { position: "bottom" } },
        edgeShape: "polyline",
        lineStyle: { color: "#cbd5e1", width: 1.5 },
        animationDuration: 300
      }]
    }, true);
  }

  function mount(root) {
    var el = root.querySelector(".kam-org-chart");
    if (!window.echarts || !el) return;
    var data = JSON.parse(document.getElementById(root.getAttribute("data-data-id")).textContent);
    var texts = JSON.parse(document.getElementById(root.getAttribute("data-texts-id")).textContent);
    var apiUrl = root.getAttribute("data-api-url");
    var moveUrl = root.getAttribute("data-move-url");
    var status = root.querySelector(".kam-org-chart-status");
    var chart = echarts.init(el);
    var dragFrom = null;

    function say(message, ok) {
      if (!status) return;
      status.textContent = message;
      status.className = "kam-org-chart-status small " + (ok ? "text-success" : "text-danger");
    }

    function reload() {
      return fetch(apiUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (fresh) { data = fresh; render(chart, data, texts); fillForm(); });
    }

    function move(contactId, managerId) {
      var url = moveUrl.replace(/\/0\/reports-to$/, "/" + contactId + "/reports-to");
      return fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify({ reports_to_id: managerId })
      }).then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { say(body.fields && body.fields.reports_to ? body.fields.reports_to.join(" ") : body.message, false); return; }
          say(texts.moved, true);
          return reload();
        });
      }).catch(function () { say(texts.failed, false); });
    }

    function fillForm() {
      var form = root.querySelector("form.kam-org-chart-move");
      if (!form) return;
      var nodes = flatten(data.roots, []).sort(function (a, b) { return a.name.localeCompare(b.name); });
      ["contact", "manager"].forEach(function (name) {
        var select = form.querySelector("select[name=" + name + "]");
        var keep = select.value;
        select.querySelectorAll("option[data-node]").forEach(function (o) { o.remove(); });
        nodes.forEach(function (n) {
          if (name === "manager" && n.left_company) return;
          var o = document.createElement("option");
          o.value = n.id; o.textContent = n.name + (n.title ? " · " + n.title : ""); o.setAttribute("data-node", "1");
          select.appendChild(o);
        });
        select.value = keep;
      });
    }

    render(chart, data, texts);
    fillForm();
    window.addEventListener("resize", function () { chart.resize(); });

    if (data.editable) {
      chart.on("mousedown", function (p) { dragFrom = p.data && p.data.raw ? p.data.raw : null; });
      chart.on("mouseup", function (p) {
        var source = dragFrom;
        dragFrom = null;
        if (!source || !p.data) return;
        var target = p.data.raw;
        if (target && target.id === source.id) return;
        var targetName = target ? target.name : data.customer_name;
        if (target && source.reports_to_id === target.id) return;
        if (!target && source.reports_to_id === null) return;
        if (!window.confirm(texts.confirm.replace("%(contact)s", source.name).replace("%(manager)s", targetName))) return;
        move(source.id, target ? target.id : null);
      });
      chart.getZr().on("mouseup", function () { window.setTimeout(function () { dragFrom = null; }, 0); });
      var form = root.querySelector("form.kam-org-chart-move");
      if (form) {
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          var contact = form.querySelector("select[name=contact]").value;
          var manager = form.querySelector("select[name=manager]").value;
          if (!contact) return;
          move(parseInt(contact, 10), manager ? parseInt(manager, 10) : null);
        });
      }
    }
    chart.on("dblclick", function (p) { if (p.data && p.data.raw) window.location.href = p.data.raw.url; });
  }

  function mountAll(scope) {
    (scope || document).querySelectorAll("[data-kam-org-chart]").forEach(function (root) {
      if (root.getAttribute("data-mounted")) return;
      root.setAttribute("data-mounted", "1");
      mount(root);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { mountAll(); });
  document.addEventListener("htmx:load", function (event) { mountAll(event.detail.elt); });
  if (document.readyState !== "loading") mountAll();
  window.KAMOrgChart = { mountAll: mountAll };
})();
