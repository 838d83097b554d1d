/*
 * OmniCX dashboard — Attribution (#/analytics/attribution).
 *
 * A grouped bar chart (one group per channel, one bar per model) of the credited
 * conversions or value, the same numbers as a table, conversions that no model could
 * credit (no touch in the lookback), and the top paths. Contract: static/analytics.js.
 */
(function () {
  "use strict";

  const MODEL_LABELS = {
    first_touch: "First touch",
    last_touch: "Last touch",
    linear: "Linear",
    position_based: "Position based",
    time_decay: "Time decay",
    markov: "Markov",
    shapley: "Shapley",
  };
  const MODEL_COLOURS = ["#1d4ed8", "#b91c1c", "#15803d", "#a16207", "#6d28d9", "#0f766e", "#be185d"];
  const METRICS = { conversions: "Conversions", value: "Value" };

  const round = (x) => Math.round((Number(x) || 0) * 100) / 100;
  const channelName = (c) => (window.OmniCX.channelLabel ? window.OmniCX.channelLabel(c) : c);

  function modelLabel(name, model) {
    let label = MODEL_LABELS[name] || name;
    if (name === "markov" && model.order > 1) label += " (order " + model.order + ")";
    return label;
  }

  function summary(h, result) {
    const c = result.conversions;
    const j = result.journeys;
    const parts = [
      h.formatNumber(c.total) + " conversions (" + h.formatNumber(round(c.value)) + " value)",
      h.formatNumber(j.converting + j.non_converting) + " journeys, " +
        h.formatNumber(j.non_converting) + " without a conversion",
      h.formatNumber(j.paths) + " distinct paths",
    ];
    if (c.unattributed.conversions) {
      const n = c.unattributed.conversions;
      parts.push(
        h.formatNumber(n) + (n === 1 ? " conversion" : " conversions") +
          " with no touch in the lookback, not attributed"
      );
    }
    return h.el("p", { class: "muted attribution-summary" }, parts.join(" · "));
  }

  function chartOption(h, result, models, channels, metric) {
    return {
      aria: { enabled: true },
      color: MODEL_COLOURS,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0 },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: channels, axisLabel: { formatter: channelName } },
      yAxis: { type: "value", name: METRICS[metric] },
      series: models.map((name) => ({
        id: name,
        name: modelLabel(name, result.models[name]),
        type: "bar",
        barMaxWidth: 28,
        data: channels.map((c) => round(result.models[name].channels[c][metric])),
      })),
    };
  }

  function creditTable(h, result, models, channels, metric) {
    const columns = [
      {
        key: "channel",
        label: "Channel",
        format: (c) => (c === null ? "No touch (unattributed)" : h.channelBadge(c)),
      },
      ...models.map((name) => ({
        key: name,
        label: modelLabel(name, result.models[name]),
        format: (x) => (x === null ? "–" : h.formatNumber(round(x))),
      })),
    ];
    const rows = channels.map((c) => {
      const row = { channel: c };
      for (const name of models) row[name] = result.models[name].channels[c][metric];
      return row;
    });
    const unattributed = result.conversions.unattributed;
    if (unattributed.conversions) {
      // not credited by any model: the same conversions under every model
      const row = { channel: null };
      for (const name of models) row[name] = unattributed[metric];
      rows.push(row);
    }
    const table = h.table(columns, rows);
    table.classList.add("attribution-table");
    return table;
  }

  function pathsTable(h, result) {
    const columns = [
      {
        key: "path",
        label: "Path",
        format: (p) =>
          h.el(
            "span",
            { class: "path", "aria-label": p.map(channelName).join(" then ") },
            ...p.flatMap((c, i) => (i ? [" → ", h.channelBadge(c)] : [h.channelBadge(c)]))
          ),
      },
      { key: "journeys", label: "Journeys", format: h.formatNumber },
      { key: "conversions", label: "Conversions", format: h.formatNumber },
      { key: "value", label: "Value", format: (x) => h.formatNumber(round(x)) },
    ];
    const table = h.table(columns, result.top_paths);
    table.classList.add("attribution-paths");
    return table;
  }

  function render(container, result, query, h) {
    const models = Object.keys(result.models);
    const channels = result.channels.slice();
    container.append(summary(h, result));
    if (!channels.length || !models.length) {
      container.append(
        h.el("p", { class: "muted attribution-empty" }, "No journeys with touches in this range.")
      );
      return;
    }
    const select = h.el(
      "select",
      { "aria-label": "Metric", class: "attribution-metric" },
      ...Object.entries(METRICS).map(([key, label]) => h.el("option", { value: key }, label))
    );
    const chartNode = h.el("div", {
      role: "img",
      "aria-label": "Attribution by channel and model: " + channels.join(", "),
    });
    const tableNode = h.el("div", { class: "table-wrap" });
    container.append(
      h.el("label", {}, "Show ", select),
      chartNode,
      tableNode,
      h.el("h3", {}, "Top paths"),
      pathsTable(h, result)
    );
    const chart = h.chart(chartNode, chartOption(h, result, models, channels, "conversions"));
    tableNode.append(creditTable(h, result, models, channels, "conversions"));
    select.addEventListener("change", () => {
      chart.setOption(chartOption(h, result, models, channels, select.value), true);
      tableNode.replaceChildren(creditTable(h, result, models, channels, select.value));
    });
  }

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  window.OmniCXAnalyses["attribution"] = { render };
})();
