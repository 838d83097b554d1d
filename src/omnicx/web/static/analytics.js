/*
 * OmniCX dashboard — the Journeys pages (#/analytics/<name>).
 *
 * Lists the analyses the server offers (GET /api/v1/analytics), shows a query form
 * pre-filled with each one's example, runs it (POST /api/v1/analytics/<name>) and hands
 * the result to the analysis's renderer in static/analytics/<module>.js:
 *
 *   window.OmniCXAnalyses["funnel"] = {
 *     render(container, result, query, helpers) { ... }
 *   };
 *
 * helpers: el, formatNumber, channelColour, channelBadge, chart(node, option), table(
 * columns, rows) — columns [{key, label, format?}] — and percent(x).
 */
(function () {
  "use strict";

  window.OmniCXAnalyses = window.OmniCXAnalyses || {};
  let catalogue = null;
  const $ = (selector) => document.querySelector(selector);

  function helpers() {
    const ui = window.OmniCX;
    return {
      el: ui.el,
      formatNumber: ui.formatNumber,
      channelColour: ui.channelColour,
      channelBadge: ui.channelBadge,
      percent: (x) => (x === null || x === undefined ? "–" : (x * 100).toFixed(1) + "%"),
      chart(node, option) {
        node.classList.add("analytics-chart");
        const chart = window.echarts.init(node, null, { renderer: "canvas" });
        chart.setOption(Object.assign({ animation: false }, option));
        window.addEventListener("resize", () => chart.resize());
        return chart;
      },
      table(columns, rows) {
        const head = ui.el("tr", {}, ...columns.map((c) => ui.el("th", { scope: "col" }, c.label)));
        const body = rows.map((row) =>
          ui.el(
            "tr",
            {},
            ...columns.map((c) => {
              const value = row[c.key];
              const text = c.format ? c.format(value, row) : value;
              const cell = ui.el("td", { dir: "auto" });
              if (text instanceof Node) cell.append(text);
              else cell.textContent = text === null || text === undefined ? "–" : String(text);
              return cell;
            })
          )
        );
        return ui.el("table", { class: "data-table" }, ui.el("thead", {}, head), ui.el("tbody", {}, ...body));
      },
    };
  }

  async function loadCatalogue() {
    if (!catalogue) catalogue = (await window.OmniCX.api("/api/v1/analytics")).analyses;
    return catalogue;
  }

  function renderList(current) {
    const list = $("#analytics-list");
    list.replaceChildren(
      ...catalogue.map((a) =>
        window.OmniCX.el(
          "a",
          { href: "#/analytics/" + a.name, "aria-current": a.name === current ? "page" : null },
          a.title
        )
      )
    );
  }

  function buildQuery() {
    let query = {};
    const text = $("#analytics-query").value.trim();
    if (text) query = JSON.parse(text);
    const from = $("#analytics-from").value;
    const to = $("#analytics-to").value;
    const channels = $("#analytics-channels").value.trim();
    if (from) query.from = from;
    if (to) query.to = to;
    if (channels) query.channels = channels.split(",").map((c) => c.trim()).filter(Boolean);
    return query;
  }

  async function run(seq, name) {
    const ui = window.OmniCX;
    const result = $("#analytics-result");
    const error = $("#view-analytics .view-error");
    ui.setAlert(error, "", "error");
    let query;
    try {
      query = buildQuery();
    } catch (err) {
      ui.setAlert(error, "The query is not valid JSON: " + err.message, "error");
      return;
    }
    result.replaceChildren(ui.el("p", { class: "muted" }, "Running…"));
    result.setAttribute("aria-busy", "true");
    try {
      const answer = await ui.api("/api/v1/analytics/" + encodeURIComponent(name), {
        method: "POST",
        body: JSON.stringify(query),
      });
      if (!ui.isCurrent(seq)) return;
      result.replaceChildren();
      const renderer = window.OmniCXAnalyses[name];
      if (renderer) renderer.render(result, answer, query, helpers());
      else result.append(ui.el("pre", { class: "json" }, JSON.stringify(answer, null, 2)));
      result.dataset.rendered = name;
    } finally {
      result.removeAttribute("aria-busy");
    }
  }

  async function render(seq, name) {
    const ui = window.OmniCX;
    const analyses = await loadCatalogue();
    if (!ui.isCurrent(seq)) return;
    renderList(name);
    const chosen = analyses.find((a) => a.name === name);
    const form = $("#analytics-form");
    $("#analytics-result").replaceChildren();
    delete $("#analytics-result").dataset.rendered;
    if (!chosen) {
      $("#analytics-title").textContent = "Journeys";
      $("#analytics-description").textContent =
        "Cross-channel analyses of your customers' journeys. Pick one.";
      ui.show(form, false);
      return;
    }
    $("#analytics-title").textContent = chosen.title;
    $("#analytics-description").textContent = chosen.description;
    $("#analytics-query").value = JSON.stringify(chosen.example, null, 1);
    ui.show(form, true);
    form.onsubmit = (event) => {
      event.preventDefault();
      run(seq, name).catch((err) => ui.setAlert($("#view-analytics .view-error"), err.message, "error"));
    };
    await run(seq, name);
  }

  window.OmniCXAnalyticsView = { render };
})();
