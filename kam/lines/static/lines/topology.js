/* Topology pictures (ECharts graph): a line's path to the core, a device's neighbourhood.
   Nodes are laid out in layers by role (PE at the top, CPE at the bottom); a click opens the device. */
(function () {
  "use strict";
  var LAYER = { pe: 0, aggregation: 1, access: 2, cpe: 3 };
  var COLOUR = { pe: "#1d4ed8", aggregation: "#0891b2", access: "#16a34a", cpe: "#ea580c" };

  function layout(nodes) {
    var layers = {};
    nodes.forEach(function (n) {
      var l = LAYER[n.role] !== undefined ? LAYER[n.role] : 2;
      (layers[l] = layers[l] || []).push(n);
    });
    Object.keys(layers).forEach(function (l) {
      var row = layers[l];
      row.forEach(function (n, i) { n.x = (i + 1) * (1000 / (row.length + 1)); n.y = 60 + Number(l) * 110; });
    });
    return nodes;
  }

  function draw(el) {
    if (el.dataset.drawn) return;
    var source = document.getElementById(el.dataset.kamTopology);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var nodes = layout(data.nodes.map(function (n) {
      return Object.assign({}, n, {
        itemStyle: { color: COLOUR[n.role] || "#6b7280", borderColor: n.highlight ? "#111827" : "#ffffff",
                     borderWidth: n.highlight ? 3 : 1 },
        label: { show: true, position: "bottom" }
      });
    }));
    var links = data.links.map(function (l) {
      return Object.assign({}, l, {
        lineStyle: l.kind === "line" ? { type: "dashed", color: "#dc2626", width: 2, curveness: 0.3 }
                                     : { color: "#94a3b8", width: 2 },
        label: l.label ? { show: true, formatter: l.label } : { show: false }
      });
    });
    var chart = window.echarts.init(el);
    chart.setOption({
      tooltip: { formatter: function (p) { return p.dataType === "node" ? p.data.name + " (" + p.data.role + ")" : (p.data.label || ""); } },
      series: [{ type: "graph", layout: "none", roam: true, data: nodes, links: links, edgeSymbol: ["none", "arrow"],
                 edgeSymbolSize: 6 }]
    });
    chart.on("click", function (p) { if (p.dataType === "node" && p.data.url) window.location.href = p.data.url; });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.drawn = "1";
  }

  function drawAll() { document.querySelectorAll("[data-kam-topology]").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", drawAll); else drawAll();
  document.addEventListener("htmx:afterSettle", drawAll);
})();
