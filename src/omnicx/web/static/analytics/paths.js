/*
 * OmniCX dashboard — Paths and journey map (#/analytics/paths).
 *
 * A Sankey of touchpoints by step ("1. web" → "2. store"), the most common paths, a
 * bar chart of the customers reaching each journey stage (with those who went no
 * further), and the pain-point table. Contract: static/analytics.js.
 */
(function () {
  "use strict";

  const STAGE_LABELS = {
    awareness: "Awareness",
    consideration: "Consideration",
    purchase: "Purchase",
    retention: "Retention",
    advocacy: "Advocacy",
  };

  /** "web" or "web:Order Completed" → the channel part, for colours. */
  const channelOf = (touchpoint) => String(touchpoint).split(":")[0];

  function sankeyOption(h, result) {
    return {
      aria: { enabled: true },
      tooltip: { trigger: "item", triggerOn: "mousemove" },
      series: [
        {
          id: "paths",
          type: "sankey",
          left: 8,
          right: 140,
          top: 8,
          bottom: 8,
          nodeGap: 10,
          draggable: false,
          emphasis: { focus: "adjacency" },
          lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 },
          label: { fontSize: 12 },
          data: result.nodes.map((n) => ({
            name: n.name,
            value: n.value,
            depth: n.step - 1,
            itemStyle: { color: n.touchpoint === "other" ? "#9ca3af" : h.channelColour(channelOf(n.touchpoint)) },
          })),
          links: result.links.map((l) => ({ source: l.source, target: l.target, value: l.value })),
        },
      ],
    };
  }

  function stagesOption(h, stages) {
    const rows = stages.stages;
    return {
      aria: { enabled: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: rows.map((s) => STAGE_LABELS[s.stage] || s.stage) },
      yAxis: { type: "value", name: "Customers", minInterval: 1 },
      series: [
        {
          id: "reached",
          name: "Reached",
          type: "bar",
          barGap: "-100%",
          barMaxWidth: 56,
          itemStyle: { color: "#93c5fd" },
          data: rows.map((s) => s.customers),
        },
        {
          id: "stopped",
          name: "Went no further",
          type: "bar",
          barMaxWidth: 56,
          itemStyle: { color: "#1d4ed8" },
          data: rows.map((s) => s.stopped),
        },
      ],
    };
  }

  function touchpointCell(h, touchpoint) {
    const [channel, ...rest] = String(touchpoint).split(":");
    return h.el("span", { class: "touchpoint" }, h.channelBadge(channel), rest.length ? " " + rest.join(":") : "");
  }

  function pathsTable(h, result) {
    const columns = [
      {
        key: "path",
        label: "Path",
        format: (p) =>
          h.el("span", { class: "path" }, ...p.flatMap((t, i) => (i ? [" → ", touchpointCell(h, t)] : [touchpointCell(h, t)]))),
      },
      { key: "profiles", label: "Customers", format: h.formatNumber },
      { key: "share", label: "Share", format: h.percent },
    ];
    const table = h.table(columns, result.paths);
    table.classList.add("paths-top");
    return table;
  }

  function stagesTable(h, stages) {
    const columns = [
      { key: "stage", label: "Stage", format: (s) => STAGE_LABELS[s] || s },
      { key: "customers", label: "Reached", format: h.formatNumber },
      { key: "share", label: "Share of customers", format: h.percent },
      { key: "stopped", label: "Went no further", format: h.formatNumber },
      { key: "stopped_share", label: "Of those reaching it", format: h.percent },
    ];
    const table = h.table(columns, stages.stages);
    table.classList.add("paths-stages");
    return table;
  }

  function painTable(h, points) {
    const both = (count, rate) => h.formatNumber(count) + " (" + h.percent(rate) + ")";
    const columns = [
      { key: "touchpoint", label: "Touchpoint", format: (t) => touchpointCell(h, t) },
      { key: "profiles", label: "Customers", format: h.formatNumber },
      { key: "abandoned", label: "Then abandoned", format: (x, r) => both(x, r.abandoned_rate) },
      {
        key: "negative_feedback",
        label: "Then negative feedback",
        format: (x, r) => both(x, r.negative_feedback_rate),
      },
      {
        key: "service_contact",
        label: "Then a service contact",
        format: (x, r) => both(x, r.service_contact_rate),
      },
    ];
    const table = h.table(columns, points);
    table.classList.add("paths-pain");
    return table;
  }

  function render(container, result, query, h) {
    const anchor = [
      result.start_event ? "from " + result.start_event : null,
      result.end_event ? "to " + result.end_event : null,
    ].filter(Boolean);
    container.append(
      h.el(
        "p",
        { class: "muted paths-summary" },
        h.formatNumber(result.profiles) + " customers with a path" +
          (anchor.length ? " " + anchor.join(" ") : "") +
          " · touchpoints: " + result.touchpoint + " · up to " + result.max_steps + " steps" +
          " (repeats in a row count once)"
      )
    );
    if (result.nodes.length) {
      const sankeyNode = h.el("div", {
        class: "paths-sankey",
        role: "img",
        "aria-label": "Sankey of customer paths: " + result.nodes.map((n) => n.name + " " + n.value).join(", "),
      });
      const perStep = new Map();
      for (const n of result.nodes) perStep.set(n.step, (perStep.get(n.step) || 0) + 1);
      sankeyNode.style.height = Math.max(360, 36 * Math.max(...perStep.values())) + "px";
      container.append(sankeyNode);
      h.chart(sankeyNode, sankeyOption(h, result));
      container.append(h.el("h3", {}, "Most common paths"), pathsTable(h, result));
    } else {
      container.append(h.el("p", { class: "muted paths-empty" }, "No paths in this range."));
    }
    const stages = result.stages;
    container.append(
      h.el("h3", {}, "Journey stages"),
      h.el(
        "p",
        { class: "muted" },
        h.formatNumber(stages.customers) + " customers, " + h.formatNumber(stages.no_stage) + " without a mapped stage"
      )
    );
    const stagesNode = h.el("div", {
      class: "paths-stages-chart",
      role: "img",
      "aria-label": "Customers per journey stage: " + stages.stages.map((s) => s.stage + " " + s.customers).join(", "),
    });
    container.append(stagesNode, stagesTable(h, stages));
    h.chart(stagesNode, stagesOption(h, stages));
    container.append(h.el("h3", {}, "Pain points"));
    if (result.pain_points.length) container.append(painTable(h, result.pain_points));
    else container.append(h.el("p", { class: "muted" }, "No touchpoint was followed by trouble."));
  }

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  window.OmniCXAnalyses["paths"] = { render };
})();
