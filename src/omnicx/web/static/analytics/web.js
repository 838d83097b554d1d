/*
 * OmniCX dashboard — Web analytics (#/analytics/web).
 *
 * KPI tiles (visitors, sessions, pageviews, bounce rate, average session duration), a
 * chart of sessions and pageviews per day (sessions on the UTC day they start), and
 * tables of the top pages, external referrers, UTM campaigns, devices and browsers.
 * Contract: static/analytics.js.
 */
(function () {
  "use strict";

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const s = Math.round(seconds);
    if (s < 60) return s + "s";
    const m = Math.floor(s / 60);
    if (m < 60) return m + "m " + String(s % 60).padStart(2, "0") + "s";
    return Math.floor(m / 60) + "h " + String(m % 60).padStart(2, "0") + "m";
  }

  function tiles(h, result) {
    const kpis = [
      ["visitors", "Visitors", h.formatNumber(result.visitors)],
      ["sessions", "Sessions", h.formatNumber(result.sessions)],
      ["pageviews", "Pageviews", h.formatNumber(result.pageviews)],
      ["bounce_rate", "Bounce rate", h.percent(result.bounce_rate)],
      ["avg_session_duration_s", "Avg. session", duration(result.avg_session_duration_s)],
    ];
    return h.el(
      "dl",
      {
        class: "stats web-kpis",
        style: "grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr))",
      },
      ...kpis.map(([key, label, text]) =>
        h.el(
          "div",
          { class: "stat" },
          h.el("dt", {}, label),
          h.el(
            "dd",
            {
              "data-kpi": key,
              "data-value": result[key] === null ? null : String(result[key]),
            },
            text
          )
        )
      )
    );
  }

  function chartOption(h, result) {
    const days = result.sessions_by_day;
    return {
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: days.map((d) => d.day) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        {
          id: "sessions",
          name: "Sessions",
          type: "bar",
          data: days.map((d) => d.sessions),
          itemStyle: { color: h.channelColour("web") },
        },
        {
          id: "pageviews",
          name: "Pageviews",
          type: "line",
          data: days.map((d) => d.pageviews),
          itemStyle: { color: "#a16207" },
        },
      ],
    };
  }

  function section(h, title, cls, columns, rows, empty) {
    const node = rows.length
      ? h.table(columns, rows)
      : h.el("p", { class: "muted" }, empty);
    node.classList.add(cls);
    return [h.el("h3", {}, title), node];
  }

  const count = (h) => (x) => h.formatNumber(x);

  function render(container, result, query, h) {
    container.append(tiles(h, result));
    container.append(
      h.el(
        "p",
        { class: "muted web-definitions" },
        "Sessions end after " + Math.round(result.session_timeout_s / 60) +
          " minutes without web activity; a bounce is a session of a single pageview " +
          "and no other event. " + h.formatNumber(result.events) + " web events."
      )
    );
    if (!result.sessions) {
      container.append(h.el("p", { class: "muted web-empty" }, "No web activity in this range."));
      return;
    }
    const chartNode = h.el("div", {
      class: "web-sessions-chart",
      role: "img",
      "aria-label": "Sessions and pageviews per day",
    });
    container.append(chartNode);
    h.chart(chartNode, chartOption(h, result));
    const traffic = [
      { key: "sessions", label: "Sessions", format: count(h) },
      { key: "visitors", label: "Visitors", format: count(h) },
      { key: "pageviews", label: "Pageviews", format: count(h) },
    ];
    container.append(
      ...section(
        h,
        "Top pages",
        "web-pages",
        [
          { key: "path", label: "Page" },
          { key: "pageviews", label: "Pageviews", format: count(h) },
          { key: "visitors", label: "Visitors", format: count(h) },
          { key: "sessions", label: "Sessions", format: count(h) },
        ],
        result.top_pages,
        "No pageviews."
      ),
      ...section(
        h,
        "Referrers",
        "web-referrers",
        [{ key: "domain", label: "Referrer" }, ...traffic],
        result.referrers,
        "No external referrers."
      ),
      ...section(
        h,
        "Campaigns",
        "web-campaigns",
        [
          { key: "name", label: "Campaign", format: (x) => x || "–" },
          { key: "source", label: "Source", format: (x) => x || "–" },
          { key: "medium", label: "Medium", format: (x) => x || "–" },
          ...traffic,
        ],
        result.campaigns,
        "No campaign traffic."
      ),
      ...section(
        h,
        "Devices",
        "web-devices",
        [{ key: "device", label: "Device" }, ...traffic],
        result.devices,
        "No devices."
      ),
      ...section(
        h,
        "Browsers",
        "web-browsers",
        [{ key: "browser", label: "Browser" }, ...traffic],
        result.browsers,
        "No browsers."
      )
    );
  }

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  window.OmniCXAnalyses["web"] = { render };
})();
