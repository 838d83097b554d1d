/*
 * OmniCX dashboard — Channel switching (#/analytics/channel-switching).
 *
 * Headline rates (multichannel share, research-online-purchase-offline, service
 * escalation), a Sankey of channel-to-channel transitions (left: the channel a
 * customer left, right: the one they went to), a bar chart of customers by number of
 * channels used and the transition table. Contract: static/analytics.js.
 */
(function () {
  "use strict";

  /** 90 → "1m 30s", 93784 → "1d 2h", null → "–". */
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    let s = Math.round(Number(seconds));
    if (s < 60) return s + "s";
    const parts = [];
    for (const [label, size] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]]) {
      if (s >= size) {
        parts.push(Math.floor(s / size) + label);
        s %= size;
      }
      if (parts.length === 2) break;
    }
    return parts.join(" ");
  }

  function stat(h, key, label, value, text, title) {
    return h.el(
      "div",
      { class: "stat", title: title || null },
      h.el("dt", {}, label),
      h.el("dd", { "data-stat": key, "data-value": value === null ? "" : String(value) }, text)
    );
  }

  function headline(h, result) {
    const ropo = result.ropo;
    const esc = result.service_escalation;
    return h.el(
      "dl",
      { class: "stats switching-stats" },
      stat(h, "customers", "Customers", result.customers, h.formatNumber(result.customers)),
      stat(
        h,
        "multichannel_share",
        "Use 2+ channels",
        result.multichannel_share,
        h.percent(result.multichannel_share),
        h.formatNumber(result.multichannel_customers) + " of " + h.formatNumber(result.customers)
      ),
      stat(
        h,
        "ropo_rate",
        "Researched online, bought in store",
        ropo.rate_of_store_purchasers,
        h.percent(ropo.rate_of_store_purchasers),
        h.formatNumber(ropo.customers) + " of " + h.formatNumber(ropo.store_purchasers) +
          " store purchasers had web/app activity before their store purchase; " +
          h.percent(ropo.rate_of_online_customers) + " of " +
          h.formatNumber(ropo.online_customers) + " online customers"
      ),
      stat(
        h,
        "escalation_rate",
        "Social/chat escalated to a call",
        esc.rate,
        h.percent(esc.rate),
        h.formatNumber(esc.customers) + " of " + h.formatNumber(esc.service_customers) +
          " social or chat customers called the contact centre afterwards"
      )
    );
  }

  function label(h, channel) {
    return h.channelBadge(channel).textContent;
  }

  function sankeyOption(h, result) {
    const shown = new Map(
      result.sankey.nodes.map((n) => [
        n.name,
        n.side === "from" ? label(h, n.channel) + " →" : "→ " + label(h, n.channel),
      ])
    );
    const nodes = result.sankey.nodes.map((n) => ({
      name: n.name,
      itemStyle: { color: h.channelColour(n.channel) },
    }));
    return {
      aria: { enabled: true },
      tooltip: {
        trigger: "item",
        formatter: (p) =>
          p.dataType === "edge"
            ? p.data.source.slice(5) + " → " + p.data.target.slice(3) + ": " + h.formatNumber(p.data.value)
            : p.name.replace(/^(from|to):/, ""),
      },
      series: [
        {
          id: "transitions",
          type: "sankey",
          left: 8,
          right: 110,
          top: 8,
          bottom: 8,
          nodeAlign: "justify",
          emphasis: { focus: "adjacency" },
          label: { formatter: (p) => shown.get(p.name) || p.name },
          lineStyle: { color: "gradient", opacity: 0.45 },
          data: nodes,
          links: result.sankey.links,
        },
      ],
    };
  }

  function countsOption(h, result) {
    const keys = Object.keys(result.customers_by_channel_count).sort((a, b) => Number(a) - Number(b));
    return {
      aria: { enabled: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 24, right: 24, top: 32, bottom: 32, containLabel: true },
      xAxis: { type: "category", name: "Channels used", nameLocation: "middle", nameGap: 28, data: keys },
      yAxis: { type: "value", name: "Customers", minInterval: 1, nameTextStyle: { align: "left" } },
      series: [
        {
          id: "customers",
          name: "Customers",
          type: "bar",
          barMaxWidth: 56,
          itemStyle: { color: "#1d4ed8" },
          label: { show: true, position: "top" },
          data: keys.map((k) => result.customers_by_channel_count[k]),
        },
      ],
    };
  }

  function transitionsTable(h, result) {
    const columns = [
      { key: "from", label: "From", format: (c) => h.channelBadge(c) },
      { key: "to", label: "To", format: (c) => h.channelBadge(c) },
      { key: "count", label: "Transitions", format: h.formatNumber },
      {
        key: "share",
        label: "Share",
        format: (_x, row) => h.percent(result.total_transitions ? row.count / result.total_transitions : null),
      },
      { key: "median_gap_s", label: "Median time between", format: duration },
    ];
    const table = h.table(columns, result.transitions);
    table.classList.add("switching-transitions");
    return table;
  }

  function render(container, result, query, h) {
    container.append(headline(h, result));
    if (!result.customers) {
      container.append(h.el("p", { class: "muted switching-empty" }, "No customer activity in this range."));
      return;
    }
    container.append(h.el("h3", {}, "Channel to channel"));
    if (result.transitions.length) {
      const sankeyNode = h.el("div", {
        class: "switching-sankey",
        role: "img",
        "aria-label":
          "Channel transitions: " +
          result.transitions.map((t) => t.from + " to " + t.to + " " + t.count).join(", "),
      });
      container.append(sankeyNode);
      h.chart(sankeyNode, sankeyOption(h, result));
    } else {
      container.append(h.el("p", { class: "muted" }, "Nobody moved from one channel to another."));
    }
    const countsNode = h.el("div", {
      class: "switching-counts",
      role: "img",
      "aria-label":
        "Customers by number of channels used: " +
        Object.entries(result.customers_by_channel_count).map(([k, v]) => k + ": " + v).join(", "),
    });
    container.append(h.el("h3", {}, "Customers by number of channels used"), countsNode);
    h.chart(countsNode, countsOption(h, result));
    if (result.transitions.length) {
      container.append(h.el("h3", {}, "Transitions"), transitionsTable(h, result));
    }
    container.append(
      h.el(
        "p",
        { class: "muted" },
        "A transition is two consecutive interactions of one customer on different channels. " +
          "Research online, purchase offline: web or app activity before a store " +
          (result.conversion || "purchase") +
          ". Escalation: a call-centre contact after a social or chat one."
      )
    );
  }

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  window.OmniCXAnalyses["channel-switching"] = { render, duration };
})();
