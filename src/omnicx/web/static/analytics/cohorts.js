/*
 * OmniCX dashboard — Cohorts & retention (#/analytics/cohorts).
 *
 * A retention heat-table (one row per cohort: its size, then the share retained in each
 * period; the cell colour deepens with the share, periods not reached yet are blank)
 * and a line chart of the size-weighted retention curve — one line for all cohorts,
 * plus one per first channel when the query asks for the split. Contract:
 * static/analytics.js.
 */
(function () {
  "use strict";

  const PERIOD_LABEL = { week: "Week", month: "Month" };

  function periodName(result, k) {
    return (PERIOD_LABEL[result.period] || "Period") + " " + k;
  }

  /** Blue with an alpha growing with the share; dark text on light cells. */
  function heat(cell, share) {
    if (share === null || share === undefined) return;
    const alpha = 0.08 + 0.8 * Math.max(0, Math.min(1, share));
    cell.style.backgroundColor = "rgba(29, 78, 216, " + alpha.toFixed(3) + ")";
    if (alpha > 0.5) cell.style.color = "#fff";
  }

  function heatTable(h, result, cohorts, label) {
    const head = h.el(
      "tr",
      {},
      h.el("th", { scope: "col" }, "Cohort"),
      h.el("th", { scope: "col" }, "Customers"),
      ...result.offsets.map((k) => h.el("th", { scope: "col" }, periodName(result, k)))
    );
    const rows = cohorts.map((c) =>
      h.el(
        "tr",
        { "data-cohort": c.cohort },
        h.el("th", { scope: "row" }, c.cohort),
        h.el("td", { class: "num" }, h.formatNumber(c.size)),
        ...c.retention.map((share, k) => {
          const retained = c.retained[k];
          const cell = h.el(
            "td",
            {
              class: "num retention-cell",
              "data-offset": k,
              "data-retained": retained === null ? null : retained,
              title:
                retained === null
                  ? periodName(result, k) + " has not started yet"
                  : h.formatNumber(retained) + " of " + h.formatNumber(c.size),
            },
            share === null ? "" : h.percent(share)
          );
          heat(cell, share);
          return cell;
        })
      )
    );
    return h.el(
      "table",
      { class: "data-table cohort-table", "aria-label": label },
      h.el("thead", {}, head),
      h.el("tbody", {}, ...rows)
    );
  }

  function curve(overall) {
    return overall.retention.map((x) => (x === null ? null : Math.round(x * 10000) / 100));
  }

  function chartOption(h, result) {
    const series = [
      {
        id: "all",
        name: "All cohorts",
        type: "line",
        data: curve(result.overall),
        lineStyle: { width: 3 },
        itemStyle: { color: "#111827" },
      },
    ];
    for (const split of result.by_first_channel || []) {
      series.push({
        id: split.channel,
        name: "First on " + split.channel,
        type: "line",
        data: curve(split.overall),
        itemStyle: { color: h.channelColour(split.channel) },
      });
    }
    return {
      aria: { enabled: true },
      tooltip: { trigger: "axis", valueFormatter: (v) => (v === null ? "–" : v + "%") },
      legend: { type: "scroll", top: 0 },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: {
        type: "category",
        data: result.offsets.map((k) => periodName(result, k)),
      },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series,
    };
  }

  function render(container, result, query, h) {
    const noun = result.period === "month" ? "monthly" : "weekly";
    const overall = result.overall;
    container.append(
      h.el(
        "p",
        { class: "muted cohort-summary" },
        h.formatNumber(overall.size) + " customers in " + h.formatNumber(result.cohorts.length) +
          " " + noun + " cohorts by first " + JSON.stringify(result.cohort_event) +
          "; retained = did " + JSON.stringify(result.return_event) + " in that period" +
          " (period 0 is 100% by definition" +
          (result.observed_until ? "; data until " + result.observed_until : "") + ")."
      )
    );
    if (!result.cohorts.length) {
      container.append(h.el("p", { class: "muted cohort-empty" }, "No cohort events in this range."));
      return;
    }
    const chartNode = h.el("div", {
      class: "cohort-chart",
      role: "img",
      "aria-label": "Retention by period since the cohort event, as a percentage",
    });
    container.append(
      chartNode,
      h.el("h3", {}, "Retention by cohort"),
      h.el("div", { class: "table-wrap" }, heatTable(h, result, result.cohorts, "Retention by cohort"))
    );
    h.chart(chartNode, chartOption(h, result));
    for (const split of result.by_first_channel || []) {
      container.append(
        h.el(
          "h3",
          { class: "cohort-split-title" },
          "First on ",
          h.channelBadge(split.channel),
          " · " + h.formatNumber(split.size) + (split.size === 1 ? " customer" : " customers")
        ),
        h.el(
          "div",
          { class: "table-wrap", "data-first-channel": split.channel },
          heatTable(h, result, split.cohorts, "Retention, first on " + split.channel)
        )
      );
    }
  }

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  window.OmniCXAnalyses["cohorts"] = { render };
})();
