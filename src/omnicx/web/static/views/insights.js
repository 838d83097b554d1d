/*
 * Insights (#/insights): sentiment and topic trends of survey comments and imported
 * reviews / mentions, the "why" drivers of detractors and promoters, and a box to
 * analyse a text.
 *
 * Reads GET /api/v1/feedback/insights, GET /api/v1/feedback/drivers and POSTs to
 * /api/v1/text/analyze. Customer text reaches the page only as text (OmniCX.el).
 */
(function () {
  "use strict";

  const TOKEN_KEY = "omnicx.adminToken";
  const SENTIMENT_COLOURS = { positive: "#2e7d32", neutral: "#9e9e9e", negative: "#c62828" };
  const TOPIC_LABELS = {
    delivery: "Delivery",
    price: "Price",
    staff: "Staff / service",
    product_quality: "Product quality",
    wait_time: "Wait time",
    app_website: "App / website",
    store: "Store",
    returns_refunds: "Returns / refunds",
    payment: "Payment",
    communication: "Communication",
  };
  const topicLabel = (t) => TOPIC_LABELS[t] || t;
  const pct = (x) => (x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%");
  const num = (x, digits) => (x === null || x === undefined ? "–" : Number(x).toFixed(digits === undefined ? 2 : digits));

  async function post(path, body) {
    let token = "";
    try {
      token = localStorage.getItem(TOKEN_KEY) || "";
    } catch (_err) {
      token = "";
    }
    const response = await fetch(path, {
      method: "POST",
      headers: { Authorization: "Bearer " + token, Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify(body),
      cache: "no-store",
    });
    let data = null;
    try {
      data = await response.json();
    } catch (_err) {
      data = null;
    }
    if (response.ok) return data;
    if (response.status === 401) location.hash = "#/login";
    const fields = ((data && data.errors) || []).map((e) => e.field + ": " + e.message);
    throw new Error(((data && data.error) || "HTTP " + response.status) + (fields.length ? " (" + fields.join("; ") + ")" : ""));
  }

  function query(params) {
    const out = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) out.set(key, value);
    const text = out.toString();
    return text ? "?" + text : "";
  }

  function chart(node, option) {
    if (!window.echarts) {
      node.textContent = "The chart library did not load.";
      return;
    }
    const instance = window.echarts.init(node, null, { renderer: "canvas" });
    instance.setOption(Object.assign({ animation: false, aria: { enabled: true } }, option));
    window.addEventListener("resize", () => instance.resize());
  }

  function table(ui, id, columns, rows) {
    return ui.el("div", { class: "table-scroll" },
      ui.el("table", { class: "data-table", id },
        ui.el("thead", null, ui.el("tr", null, ...columns.map((c) => ui.el("th", { scope: "col" }, c[1])))),
        ui.el("tbody", null, ...rows.map((row) =>
          ui.el("tr", { "data-key": String(row[columns[0][0]]) }, ...columns.map((c) => {
            const value = c[2] ? c[2](row) : row[c[0]];
            return ui.el("td", { dir: "auto" },
              value instanceof Node ? value : value === null || value === undefined ? "–" : String(value));
          }))))));
  }

  function stat(ui, key, label, value) {
    return ui.el("div", { class: "stat" }, ui.el("dt", null, label),
      ui.el("dd", { "data-stat": key }, value));
  }

  function sentimentPill(ui, sentiment) {
    return ui.el("span", {
      class: "sentiment sentiment-" + sentiment,
      "data-sentiment": sentiment,
      style: "color:#fff;border-radius:0.6rem;padding:0.05rem 0.5rem;background:" + (SENTIMENT_COLOURS[sentiment] || "#666"),
    }, sentiment);
  }

  // ---- filters ------------------------------------------------------------------------

  function filters(ui, params) {
    const field = (label, input) => ui.el("div", { class: "field" }, ui.el("label", { for: input.id }, label), input);
    const from = ui.el("input", { id: "insights-from", type: "date", value: params.get("from") || "" });
    const to = ui.el("input", { id: "insights-to", type: "date", value: params.get("to") || "" });
    const bucket = ui.el("select", { id: "insights-bucket" },
      ...["day", "week", "month"].map((b) => ui.el("option", { value: b, selected: (params.get("bucket") || "day") === b }, b)));
    const events = ui.el("select", { id: "insights-events" },
      ...[["all", "Surveys and imported feedback"], ["survey", "Survey comments"], ["feedback", "Reviews and mentions"]]
        .map(([v, l]) => ui.el("option", { value: v, selected: (params.get("events") || "all") === v }, l)));
    const form = ui.el("form", { class: "search-form", id: "insights-filters" },
      field("From", from), field("To", to), field("Per", bucket), field("Text from", events),
      ui.el("button", { type: "submit", class: "button" }, "Apply"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      location.hash = "#/insights" + query({ from: from.value, to: to.value, bucket: bucket.value,
        events: events.value === "all" ? "" : events.value, window: params.get("window") || "",
        survey: params.get("survey") || "" });
    });
    return form;
  }

  // ---- trends -------------------------------------------------------------------------

  function trendOption(series) {
    const buckets = series.map((s) => s.bucket);
    return {
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: buckets },
      yAxis: [{ type: "value", name: "Texts" }, { type: "value", name: "Net", min: -1, max: 1 }],
      series: [
        ...["positive", "neutral", "negative"].map((s) => ({
          name: s, type: "bar", stack: "sentiment", itemStyle: { color: SENTIMENT_COLOURS[s] },
          data: series.map((row) => row[s]),
        })),
        { name: "net sentiment", type: "line", yAxisIndex: 1, data: series.map((row) => row.net_sentiment) },
      ],
    };
  }

  function topicOption(topics) {
    const rows = topics.slice(0, 10).reverse();
    return {
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 24, right: 24, top: 40, bottom: 8, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: rows.map((t) => topicLabel(t.topic)) },
      series: ["positive", "neutral", "negative"].map((s) => ({
        name: s, type: "bar", stack: "topic", itemStyle: { color: SENTIMENT_COLOURS[s] },
        data: rows.map((t) => t[s]),
      })),
    };
  }

  function renderTrends(ui, container, data) {
    const t = data.totals;
    container.append(ui.el("dl", { class: "stats", id: "insights-stats" },
      stat(ui, "count", "Texts analysed", ui.formatNumber(t.count)),
      stat(ui, "positive", "Positive", t.count ? pct(t.positive / t.count) : "–"),
      stat(ui, "negative", "Negative", t.count ? pct(t.negative / t.count) : "–"),
      stat(ui, "net", "Net sentiment", num(t.net_sentiment))));
    if (!t.count) {
      container.append(ui.el("p", { class: "empty", id: "insights-empty" },
        "No analysed feedback in this range yet. Survey comments and imported reviews appear here."));
      return;
    }
    const trend = ui.el("div", { class: "chart", id: "insights-chart-trend" });
    const topics = ui.el("div", { class: "chart", id: "insights-chart-topics" });
    container.append(
      ui.el("section", { class: "card" }, ui.el("h2", null, "Sentiment over time"), trend),
      ui.el("section", { class: "card" }, ui.el("h2", null, "Topics"), topics,
        table(ui, "insights-topics", [
          ["topic", "Topic", (r) => topicLabel(r.topic)], ["count", "Mentions"],
          ["negative", "Negative share", (r) => pct(r.negative / r.count)],
          ["average_score", "Average sentiment", (r) => num(r.average_score)]], data.topics)),
      ui.el("section", { class: "card" }, ui.el("h2", null, "Keywords"),
        ui.el("ul", { id: "insights-keywords", style: "display:flex;flex-wrap:wrap;gap:0.5rem;list-style:none;padding:0" },
          ...data.keywords.map((k) => ui.el("li", {
            dir: "auto", title: k.count + " mentions, average sentiment " + num(k.average_score),
            style: "border:1px solid var(--border);border-radius:1rem;padding:0.1rem 0.6rem;border-color:" +
              (k.average_score < -0.05 ? SENTIMENT_COLOURS.negative : k.average_score > 0.05 ? SENTIMENT_COLOURS.positive : "var(--border)"),
          }, k.keyword + " · " + k.count)))),
      ui.el("section", { class: "card" }, ui.el("h2", null, "Sources and channels"),
        table(ui, "insights-sources", [["source", "Source"], ["count", "Texts"],
          ["positive", "Positive"], ["negative", "Negative"], ["average_score", "Average", (r) => num(r.average_score)]], data.sources),
        table(ui, "insights-channels", [["channel", "Channel", (r) => ui.channelBadge(r.channel)], ["count", "Texts"],
          ["negative", "Negative"], ["average_score", "Average", (r) => num(r.average_score)]], data.channels)));
    chart(trend, trendOption(data.series));
    chart(topics, topicOption(data.topics));
  }

  // ---- drivers ------------------------------------------------------------------------

  async function renderDrivers(ui, section, params, seq) {
    const survey = ui.el("input", { id: "drivers-survey", placeholder: "all surveys", value: params.get("survey") || "", dir: "ltr" });
    const windowSelect = ui.el("select", { id: "drivers-window" },
      ...["7d", "30d", "90d"].map((w) => ui.el("option", { value: w, selected: (params.get("window") || "30d") === w }, w)));
    const form = ui.el("form", { class: "search-form", id: "drivers-form" },
      ui.el("div", { class: "field" }, ui.el("label", { for: "drivers-survey" }, "Survey id"), survey),
      ui.el("div", { class: "field" }, ui.el("label", { for: "drivers-window" }, "Journey window"), windowSelect),
      ui.el("button", { type: "submit", class: "button" }, "Show drivers"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const next = new URLSearchParams(params);
      next.set("survey", survey.value.trim());
      next.set("window", windowSelect.value);
      location.hash = "#/insights" + query(Object.fromEntries(next));
    });
    section.append(form);
    const data = await ui.api("/api/v1/feedback/drivers" + query({
      survey: params.get("survey") || "", window: params.get("window") || "30d",
      from: params.get("from") || "", to: params.get("to") || "" }));
    if (!ui.isCurrent(seq)) return;
    section.append(ui.el("p", { class: "muted", id: "drivers-summary" },
      data.responses + " responses: " + data.detractors + " detractors (" + pct(data.detractor_rate) + "), " +
      data.promoters + " promoters (" + pct(data.promoter_rate) + "). Touchpoints within " + data.window +
      " before each answer, on any channel."));
    if (!data.responses) return;
    if (data.detractor_drivers.length) {
      section.append(ui.el("p", { id: "drivers-top" }, "Most associated with detractors: ",
        ...data.detractor_drivers.map((t, i) => ui.el("strong", { dir: "auto" }, (i ? ", " : "") + t))));
    }
    const columns = [
      ["responses", "Responses"], ["detractor_rate", "Detractors with", (r) => pct(r.detractor_rate)],
      ["detractor_rate_without", "without", (r) => pct(r.detractor_rate_without)],
      ["detractor_lift", "Lift", (r) => (r.detractor_lift === null ? "–" : "×" + num(r.detractor_lift))],
      ["promoter_rate", "Promoters with", (r) => pct(r.promoter_rate)],
      ["promoter_rate_without", "without", (r) => pct(r.promoter_rate_without)],
      ["average_score", "Avg score", (r) => num(r.average_score, 1)]];
    section.append(
      ui.el("h3", null, "Touchpoints"),
      table(ui, "drivers-touchpoints", [["touchpoint", "Touchpoint", (r) =>
        ui.el("span", null, ui.channelBadge(r.channel), " ", ui.el("span", { dir: "auto" }, r.event))], ...columns], data.touchpoints),
      ui.el("h3", null, "Channels"),
      table(ui, "drivers-channels", [["channel", "Channel", (r) => ui.channelBadge(r.channel)], ...columns], data.channels));
  }

  // ---- analyse a text -----------------------------------------------------------------

  function analyzeBox(ui) {
    const input = ui.el("textarea", { id: "analyze-text", rows: 3, dir: "auto",
      placeholder: "Paste a review or comment (English, עברית, العربية, Türkçe, فارسی)" });
    const result = ui.el("div", { id: "analyze-result", role: "status" });
    const form = ui.el("form", { class: "form-stack", id: "analyze-form" },
      ui.el("div", { class: "field" }, ui.el("label", { for: "analyze-text" }, "Text"), input),
      ui.el("button", { type: "submit", class: "button" }, "Analyse"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      result.replaceChildren();
      try {
        const insight = await post("/api/v1/text/analyze", { text: input.value });
        result.append(ui.el("p", null, sentimentPill(ui, insight.sentiment), " score ",
          ui.el("span", { "data-score": String(insight.score) }, num(insight.score)), " · language " + insight.language),
          ui.el("p", null, "Topics: " + (insight.topics.map(topicLabel).join(", ") || "–")),
          ui.el("p", { dir: "auto" }, "Keywords: " + (insight.keywords.join(", ") || "–")));
      } catch (err) {
        result.append(ui.el("p", { class: "alert alert-error" }, err.message));
      }
    });
    return ui.el("section", { class: "card", id: "insights-analyze" }, ui.el("h2", null, "Analyse a text"), form, result);
  }

  async function render(container, context) {
    const ui = window.OmniCX;
    const params = context.params || new URLSearchParams();
    container.append(ui.el("div", { class: "card-head" },
      ui.el("h1", { tabindex: "-1" }, "Insights"),
      ui.el("p", { class: "muted" }, "Sentiment, topics and the touchpoints behind your scores, from survey comments and imported reviews.")));
    container.append(filters(ui, params));
    const data = await ui.api("/api/v1/feedback/insights" + query({
      from: params.get("from") || "", to: params.get("to") || "", bucket: params.get("bucket") || "",
      events: params.get("events") || "" }));
    if (!ui.isCurrent(context.seq)) return;
    renderTrends(ui, container, data);
    const drivers = ui.el("section", { class: "card", id: "insights-drivers" }, ui.el("h2", null, "Why: drivers of detractors and promoters"));
    container.append(drivers, analyzeBox(ui));
    await renderDrivers(ui, drivers, params, context.seq);
    if (ui.isCurrent(context.seq)) container.dataset.rendered = "insights";
  }

    window.OmniCXViews = window.OmniCXViews || {};
  window.OmniCXViews.insights = { title: "Insights", nav: "Insights", order: 20, render };
})();
