/*
 * OmniCX dashboard — Omnichannel impact (#/analytics/omnichannel-impact).
 *
 * Customers grouped by the number of channels they used (1, 2, 3+): bars of value and
 * orders per customer and of purchase and retention rates, the 3+ vs 1 ratios next to
 * the figures the industry quotes, the headline shares, the per-bucket table and the
 * correlation-not-causation caveat. Contract: static/analytics.js.
 */
(function () {
  "use strict";

  const BUCKETS = ["1", "2", "3+"];
  const bucketLabel = (b) => (b === "1" ? "1 channel" : b + " channels");
  const money = (x) =>
    x === null || x === undefined ? "–" : Number(x).toLocaleString(undefined, { maximumFractionDigits: 2 });
  const ratioText = (r) =>
    r.ratio === null || r.ratio === undefined
      ? "–"
      : "×" + r.ratio.toFixed(2) + " (" + (r.percent_higher >= 0 ? "+" : "") + r.percent_higher.toFixed(0) + "%)";

  function caveat(h, result) {
    const notes = [result.caveat];
    if (result.small_sample) {
      notes.push(
        "Small sample: " + result.sample_sizes["3+"] + " customers used 3+ channels and " +
          result.sample_sizes["1"] + " one channel; treat the ratios as anecdotes."
      );
    }
    return h.el("div", { class: "alert alert-warning impact-caveat", role: "note" }, notes.join(" "));
  }

  function headline(h, result) {
    const hl = result.headline;
    const stat = (key, label, value, title) =>
      h.el(
        "div",
        { class: "stat", title },
        h.el("dt", {}, label),
        h.el("dd", { "data-stat": key, "data-value": String(value) }, h.percent(value))
      );
    return h.el(
      "dl",
      { class: "stats impact-headline" },
      stat("multichannel_customer_share", "Customers using 2+ channels", hl.multichannel_customer_share,
        "The articles' \"67% use several channels\""),
      stat("same_day_switcher_share", "Switched channels within a day", hl.same_day_switcher_share,
        "The articles' \"90% switch channels during a day\""),
      stat("multichannel_purchase_share", "Orders with a multichannel journey", hl.multichannel_purchase_share,
        "The articles' \"67% use several channels for one purchase\""),
      h.el("div", { class: "stat" }, h.el("dt", {}, "Customers"),
        h.el("dd", { "data-stat": "customers", "data-value": String(result.customers) },
          h.formatNumber(result.customers)))
    );
  }

  function ratioCards(h, result) {
    return h.el(
      "div",
      { class: "impact-ratios", style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem;margin:1rem 0" },
      ...result.ratios.map((r) =>
        h.el(
          "div",
          { class: "card impact-ratio", "data-metric": r.metric, "data-ratio": r.ratio === null ? "" : String(r.ratio) },
          h.el("div", { class: "muted" }, r.label + " — 3+ channels vs 1"),
          h.el("div", { style: "font-size:1.6rem;font-weight:700", class: "impact-ratio-value" }, ratioText(r)),
          r.industry_figure ? h.el("div", {}, "Quoted: " + r.industry_figure) : null,
          h.el("div", { class: "muted" }, r.note)
        )
      )
    );
  }

  function perCustomerOption(h, result) {
    const b = result.buckets;
    return {
      aria: { enabled: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: BUCKETS.map(bucketLabel) },
      yAxis: [
        { type: "value", name: "Revenue / customer", nameTextStyle: { align: "left" } },
        {
          type: "value",
          name: "Orders / customer",
          nameTextStyle: { align: "right" },
          splitLine: { show: false },
        },
      ],
      series: [
        {
          id: "revenue_per_customer",
          name: "Revenue per customer",
          type: "bar",
          barMaxWidth: 48,
          itemStyle: { color: "#1d4ed8" },
          label: { show: true, position: "top", formatter: (p) => money(p.value) },
          data: BUCKETS.map((k) => b[k].revenue_per_customer),
        },
        {
          id: "orders_per_customer",
          name: "Orders per customer",
          type: "bar",
          yAxisIndex: 1,
          barMaxWidth: 48,
          itemStyle: { color: "#b91c1c" },
          label: { show: true, position: "top", formatter: (p) => (p.value === null ? "–" : p.value.toFixed(2)) },
          data: BUCKETS.map((k) => b[k].orders_per_customer),
        },
      ],
    };
  }

  function ratesOption(h, result) {
    const b = result.buckets;
    const pct = (x) => (x === null || x === undefined ? null : Math.round(x * 1000) / 10);
    return {
      aria: { enabled: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: BUCKETS.map(bucketLabel) },
      yAxis: { type: "value", name: "% of customers", max: 100, nameTextStyle: { align: "left" } },
      series: [
        ["purchase_rate", "Purchase rate", "#15803d"],
        ["retention_rate", "Retention (2+ orders)", "#6d28d9"],
      ].map(([key, name, color]) => ({
        id: key,
        name,
        type: "bar",
        barMaxWidth: 48,
        itemStyle: { color },
        label: { show: true, position: "top", formatter: (p) => (p.value === null ? "–" : p.value + "%") },
        data: BUCKETS.map((k) => pct(b[k][key])),
      })),
    };
  }

  function bucketTable(h, result) {
    const rows = BUCKETS.map((k) => Object.assign({ bucket: bucketLabel(k) }, result.buckets[k]));
    const columns = [
      { key: "bucket", label: "Channels used" },
      { key: "customers", label: "Customers", format: h.formatNumber },
      { key: "purchase_rate", label: "Purchase rate", format: h.percent },
      { key: "orders_per_customer", label: "Orders / customer", format: (x) => (x === null ? "–" : x.toFixed(2)) },
      { key: "orders_per_purchaser", label: "Orders / purchaser", format: (x) => (x === null ? "–" : x.toFixed(2)) },
      { key: "revenue_per_customer", label: "Revenue / customer", format: money },
      { key: "retention_rate", label: "Retention (2+ orders)", format: h.percent },
    ];
    const table = h.table(columns, rows);
    table.classList.add("impact-table");
    return h.el("div", { class: "table-scroll" }, table);
  }

  function render(container, result, query, h) {
    container.append(caveat(h, result), headline(h, result));
    if (!result.customers) {
      container.append(h.el("p", { class: "muted impact-empty" }, "No customer activity in this range."));
      return;
    }
    container.append(ratioCards(h, result));
    const describe = (key) =>
      BUCKETS.map((k) => bucketLabel(k) + " " + (result.buckets[k][key] === null ? "none" : result.buckets[k][key])).join(", ");
    const perCustomer = h.el("div", {
      class: "impact-per-customer",
      role: "img",
      "aria-label": "Revenue per customer: " + describe("revenue_per_customer"),
    });
    const rates = h.el("div", {
      class: "impact-rates",
      role: "img",
      "aria-label": "Purchase rate: " + describe("purchase_rate"),
    });
    container.append(h.el("h3", {}, "Per customer"), perCustomer, h.el("h3", {}, "Rates"), rates, bucketTable(h, result));
    h.chart(perCustomer, perCustomerOption(h, result));
    h.chart(rates, ratesOption(h, result));
  }

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  window.OmniCXAnalyses["omnichannel-impact"] = { render };
})();
