/*
 * OmniCX dashboard — Silo vs unified view (#/analytics/silo-vs-unified).
 *
 * Per channel, side by side: the conversions its own team sees (journeys on that
 * channel only) and every conversion it took part in; then the table with values,
 * conversions assisted elsewhere, and carts its silo calls abandoned that were bought
 * on another channel. Contract: static/analytics.js.
 */
(function () {
  "use strict";

  const money = (x) =>
    x === null || x === undefined ? "–" : Number(x).toLocaleString(undefined, { maximumFractionDigits: 2 });

  function summary(h, result) {
    const t = result.totals;
    const carts = Object.values(result.channels).reduce(
      (acc, c) => [acc[0] + c.abandoned_carts_silo, acc[1] + c.abandoned_then_bought_elsewhere],
      [0, 0]
    );
    return h.el(
      "dl",
      { class: "stats silo-stats" },
      h.el("div", { class: "stat" }, h.el("dt", {}, "Conversions"),
        h.el("dd", { "data-stat": "conversions", "data-value": String(t.conversions) }, h.formatNumber(t.conversions))),
      h.el("div", { class: "stat" }, h.el("dt", {}, "Used several channels"),
        h.el("dd", { "data-stat": "cross_channel_share", "data-value": String(t.cross_channel_share) },
          h.percent(t.cross_channel_share))),
      h.el("div", { class: "stat" }, h.el("dt", {}, "\"Abandoned\" carts (silo view)"),
        h.el("dd", { "data-stat": "abandoned", "data-value": String(carts[0]) }, h.formatNumber(carts[0]))),
      h.el("div", { class: "stat" }, h.el("dt", {}, "…then bought on another channel"),
        h.el("dd", { "data-stat": "bought_elsewhere", "data-value": String(carts[1]) }, h.formatNumber(carts[1])))
    );
  }

  function chartOption(h, result, channels) {
    const labels = channels.map((c) => h.channelBadge(c).textContent);
    return {
      aria: { enabled: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0 } },
      yAxis: { type: "value", name: "Conversions", minInterval: 1 },
      series: [
        {
          id: "silo",
          name: "Silo view (own channel only)",
          type: "bar",
          barMaxWidth: 40,
          itemStyle: { color: "#94a3b8" },
          label: { show: true, position: "top" },
          data: channels.map((c) => result.channels[c].silo_conversions),
        },
        {
          id: "unified",
          name: "Unified view (took part)",
          type: "bar",
          barMaxWidth: 40,
          label: { show: true, position: "top" },
          data: channels.map((c) => ({
            value: result.channels[c].unified_conversions,
            itemStyle: { color: h.channelColour(c) },
          })),
        },
      ],
    };
  }

  function channelTable(h, result, channels) {
    const rows = channels.map((c) => Object.assign({ channel: c }, result.channels[c]));
    const bought = (x) =>
      Object.entries(x || {})
        .map(([c, n]) => h.channelBadge(c).textContent + " " + n)
        .join(", ") || "–";
    const columns = [
      { key: "channel", label: "Channel", format: (c) => h.channelBadge(c) },
      { key: "completed_conversions", label: "Completed here", format: h.formatNumber },
      { key: "silo_conversions", label: "Silo view", format: h.formatNumber },
      { key: "silo_value", label: "Silo value", format: money },
      { key: "unified_conversions", label: "Unified view", format: h.formatNumber },
      { key: "unified_value", label: "Unified value", format: money },
      { key: "assisted_elsewhere", label: "Completed elsewhere", format: h.formatNumber },
      {
        key: "unified_vs_silo",
        label: "Unified ÷ silo",
        format: (x) => (x === null || x === undefined ? "–" : "×" + Number(x).toFixed(2)),
      },
      { key: "abandoned_carts_silo", label: "\"Abandoned\" carts", format: h.formatNumber },
      { key: "abandoned_then_bought_elsewhere", label: "Bought elsewhere", format: h.formatNumber },
      { key: "abandoned_bought_on", label: "Bought on", format: bought },
    ];
    const table = h.table(columns, rows);
    table.classList.add("silo-table");
    return h.el("div", { class: "table-scroll" }, table);
  }

  function render(container, result, query, h) {
    container.append(summary(h, result));
    const channels = Object.keys(result.channels);
    if (!channels.length) {
      container.append(h.el("p", { class: "muted silo-empty" }, "No conversions or carts in this range."));
      return;
    }
    const chartNode = h.el("div", {
      class: "silo-chart",
      role: "img",
      "aria-label":
        "Conversions per channel, silo vs unified: " +
        channels
          .map((c) => c + " " + result.channels[c].silo_conversions + " vs " + result.channels[c].unified_conversions)
          .join(", "),
    });
    container.append(chartNode, channelTable(h, result, channels));
    h.chart(chartNode, chartOption(h, result, channels));
    container.append(
      h.el(
        "p",
        { class: "muted" },
        "Silo view: " + result.conversion + " on the channel whose journey (the " +
          Math.round(result.lookback_s / 86400) + " days before, since the previous one) used no other " +
          "channel. Unified view: every " + result.conversion + " whose journey used the channel, " +
          "wherever it completed. A cart is \"abandoned\" when no " + result.conversion +
          " followed on the same channel; bought elsewhere when one followed on another channel within the lookback."
      )
    );
  }

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  window.OmniCXAnalyses["silo-vs-unified"] = { render };
})();
