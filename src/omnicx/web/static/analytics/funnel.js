/*
 * OmniCX dashboard — Funnel (#/analytics/funnel).
 *
 * A bar chart of the customers reaching each step (stacked by the channel of the
 * event that satisfied the step when the query asks for `breakdown: "channel"`), the
 * conversion table, the cross-channel share of completers and, with a breakdown, the
 * per-step channel table. Contract: static/analytics.js.
 */
(function () {
  "use strict";

  /** 90 → "1m 30s", 93784 → "1d 2h", null → "–". */
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    let s = Math.round(Number(seconds));
    if (s < 60) return s + "s";
    const units = [
      ["d", 86400],
      ["h", 3600],
      ["m", 60],
      ["s", 1],
    ];
    const parts = [];
    for (const [label, size] of units) {
      if (s >= size) {
        parts.push(Math.floor(s / size) + label);
        s %= size;
      }
      if (parts.length === 2) break;
    }
    return parts.join(" ");
  }

  const stepLabel = (step) => step.step + ". " + step.event;

  function channelsOf(result) {
    const totals = new Map();
    for (const step of result.steps) {
      for (const c of step.channels || []) totals.set(c.channel, (totals.get(c.channel) || 0) + c.count);
    }
    return [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map((e) => e[0]);
  }

  function chartOption(h, result, channels) {
    const labels = result.steps.map(stepLabel);
    const base = {
      aria: { enabled: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, overflow: "break" } },
      yAxis: { type: "value", name: "Customers", minInterval: 1 },
    };
    if (!channels.length) {
      return Object.assign(base, {
        series: [
          {
            id: "customers",
            name: "Customers",
            type: "bar",
            barMaxWidth: 56,
            itemStyle: { color: "#1d4ed8" },
            label: { show: true, position: "top" },
            data: result.steps.map((s) => s.count),
          },
        ],
      });
    }
    return Object.assign(base, {
      legend: { type: "scroll", top: 0 },
      series: channels.map((channel) => ({
        id: channel,
        name: channel,
        type: "bar",
        stack: "customers",
        barMaxWidth: 56,
        itemStyle: { color: h.channelColour(channel) },
        data: result.steps.map((s) => {
          const found = (s.channels || []).find((c) => c.channel === channel);
          return found ? found.count : 0;
        }),
      })),
    });
  }

  function summary(h, result) {
    const cross = result.cross_channel;
    const parts = [
      h.formatNumber(result.entered) + " entered",
      h.formatNumber(result.completed) + " completed (" + h.percent(result.conversion) + ")",
      "window " + duration(result.window_s),
    ];
    if (cross.completers) {
      parts.push(
        h.formatNumber(cross.multi_channel) + " of " + h.formatNumber(cross.completers) +
          " completers used several channels (" + h.percent(cross.multi_channel_share) + "), " +
          h.formatNumber(cross.single_channel) + " one"
      );
    }
    return h.el("p", { class: "muted funnel-summary" }, parts.join(" · "));
  }

  function stepsTable(h, result) {
    const columns = [
      { key: "step", label: "Step", format: (_x, row) => stepLabel(row) },
      { key: "count", label: "Customers", format: h.formatNumber },
      { key: "conversion_from_previous", label: "From previous", format: h.percent },
      { key: "conversion_from_first", label: "From first", format: h.percent },
      { key: "median_time_from_previous_s", label: "Median time from previous", format: duration },
      {
        key: "dropped",
        label: "Dropped",
        format: (x, row) =>
          row.step === 1
            ? "–"
            : h.el(
                "span",
                { title: "Sample of profile ids: " + row.dropped_profile_ids.join(", ") },
                h.formatNumber(x)
              ),
      },
    ];
    const table = h.table(columns, result.steps);
    table.classList.add("funnel-steps");
    return table;
  }

  function breakdownTable(h, result, channels) {
    const columns = [
      { key: "label", label: "Step" },
      ...channels.map((c) => ({ key: c, label: h.channelBadge(c).textContent, format: h.formatNumber })),
    ];
    const rows = result.steps.map((s) => {
      const row = { label: stepLabel(s) };
      for (const c of channels) {
        const found = (s.channels || []).find((x) => x.channel === c);
        row[c] = found ? found.count : 0;
      }
      return row;
    });
    const table = h.table(columns, rows);
    table.classList.add("funnel-breakdown");
    return table;
  }

  function render(container, result, query, h) {
    container.append(summary(h, result));
    if (!result.entered) {
      container.append(h.el("p", { class: "muted funnel-empty" }, "Nobody did the first step in this range."));
    }
    const channels = result.breakdown === "channel" ? channelsOf(result) : [];
    const chartNode = h.el("div", {
      class: "funnel-chart",
      role: "img",
      "aria-label":
        "Customers per funnel step: " +
        result.steps.map((s) => stepLabel(s) + " " + s.count).join(", "),
    });
    container.append(chartNode, stepsTable(h, result));
    h.chart(chartNode, chartOption(h, result, channels));
    if (channels.length) {
      container.append(h.el("h3", {}, "Channel of each step"), breakdownTable(h, result, channels));
    }
  }

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  window.OmniCXAnalyses["funnel"] = { render, duration };
})();
