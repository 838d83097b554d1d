/*
 * Surveys (#/surveys): the list, the builder with a live preview (#/surveys/new), and
 * one survey's results (#/surveys/<id>): score with its 95% interval, per channel, over
 * time, the omnichannel lens (same customers across channels) and distribution.
 *
 * Customer data reaches the page only as text (window.OmniCX.el), never as HTML.
 */
(function () {
  "use strict";

  const TOKEN_KEY = "omnicx.adminToken";
  const LANGUAGES = { en: "English", he: "עברית", ar: "العربية", tr: "Türkçe", fa: "فارسی", es: "Español" };
  const TEMPLATES = { nps: "NPS (0–10)", csat: "CSAT (1–5)", ces: "CES (1–7)", custom: "Custom" };
  const CHANNELS = ["email", "sms", "whatsapp", "web", "mobile_app", "store", "call_center", "chat"];
  const CUSTOM_EXAMPLE = [
    { id: "stars", type: "rating", min: 1, max: 5, required: true,
      text: { en: "How was your visit?", he: "איך היה הביקור?" } },
    { id: "why", type: "multi", text: { en: "What went wrong?", he: "מה השתבש?" },
      options: [{ id: "wait", text: { en: "Waiting time", he: "זמן המתנה" } },
                { id: "staff", text: { en: "Staff", he: "צוות" } }],
      show_if: { question: "stars", at_most: 2 } },
    { id: "comment", type: "text", text: { en: "Anything else?", he: "משהו נוסף?" } },
  ];

  async function send(method, path, body) {
    let token = "";
    try {
      token = localStorage.getItem(TOKEN_KEY) || "";
    } catch (_err) {
      token = "";
    }
    const response = await fetch(path, {
      method,
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const fields = data && data.errors && data.errors.length
        ? " (" + data.errors.map((e) => e.field + ": " + e.message).join("; ") + ")" : "";
      throw new Error(((data && data.error) || "HTTP " + response.status) + fields);
    }
    return data;
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) return "–";
    return Number(value).toFixed(digits === undefined ? 1 : digits);
  }

  function head(ui, title, intro, ...actions) {
    return ui.el("div", { class: "view-head" },
      ui.el("h1", { tabindex: "-1" }, title),
      intro ? ui.el("p", { class: "muted" }, intro) : null,
      actions.length ? ui.el("p", null, ...actions) : null);
  }

  function table(ui, columns, rows) {
    return ui.el("div", { class: "table-scroll" },
      ui.el("table", { class: "data-table" },
        ui.el("thead", null, ui.el("tr", null, ...columns.map((c) => ui.el("th", { scope: "col" }, c[1])))),
        ui.el("tbody", null, ...rows.map((row) =>
          ui.el("tr", null, ...columns.map((c) => {
            const value = c[2] ? c[2](row) : row[c[0]];
            return ui.el("td", { dir: "auto" }, value instanceof Node ? value : value === null || value === undefined ? "–" : String(value));
          }))))));
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

  // ---- list -------------------------------------------------------------------------

  async function renderList(ui, container, seq) {
    const data = await ui.api("/api/v1/surveys");
    if (!ui.isCurrent(seq)) return;
    container.append(head(ui, "Surveys", "NPS, CSAT, CES and custom surveys on every channel.",
      ui.el("a", { class: "button", href: "#/surveys/new" }, "New survey")));
    if (!data.surveys.length) {
      container.append(ui.el("p", { class: "empty" }, "No surveys yet. Create one from a template."));
      return;
    }
    container.append(table(ui, [
      ["name", "Survey", (s) => ui.el("a", { href: "#/surveys/" + encodeURIComponent(s.id), dir: "auto" }, s.name)],
      ["template", "Template", (s) => TEMPLATES[s.template] || s.template],
      ["languages", "Languages", (s) => s.languages.join(", ")],
      ["responses", "Responses", (s) => ui.formatNumber(s.responses)],
    ], data.surveys));
    container.dataset.rendered = "surveys-list";
  }

  // ---- builder ------------------------------------------------------------------------

  function encodeDef(def) {
    const bytes = new TextEncoder().encode(JSON.stringify(def));
    let text = "";
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function field(ui, label, control, help) {
    return ui.el("div", { class: "field" }, ui.el("label", { for: control.id }, label), control,
      help ? ui.el("p", { class: "help" }, help) : null);
  }

  async function renderBuilder(ui, container, seq) {
    let brand = { name: "", primary_color: "#2563eb" };
    try {
      brand = await ui.api("/api/v1/brand");
    } catch (_err) {
      /* preview without the brand */
    }
    if (!ui.isCurrent(seq)) return;
    const name = ui.el("input", { id: "survey-name", required: true, value: "Customer feedback" });
    const template = ui.el("select", { id: "survey-template" },
      ...Object.entries(TEMPLATES).map(([k, v]) => ui.el("option", { value: k }, v)));
    const langs = ui.el("fieldset", { class: "field" }, ui.el("legend", null, "Languages"),
      ...Object.entries(LANGUAGES).map(([code, label]) => ui.el("label", { style: "display:inline-flex;gap:.35rem;align-items:center;margin-inline-end:1rem" },
        ui.el("input", { type: "checkbox", name: "lang", value: code, checked: true }), " ", label)));
    const previewLang = ui.el("select", { id: "survey-preview-lang" },
      ...Object.entries(LANGUAGES).map(([k, v]) => ui.el("option", { value: k }, v)));
    const questions = ui.el("textarea", { id: "survey-questions", rows: "10", spellcheck: "false", dir: "ltr",
      style: "width:100%;font-family:monospace" });
    const error = ui.el("p", { class: "alert alert-error", role: "alert", hidden: true });
    const frame = ui.el("iframe", { id: "survey-preview", title: "Survey preview",
      style: "width:100%;max-width:420px;height:640px;border:1px solid #cbd5e1;border-radius:12px;background:#fff" });
    const form = ui.el("form", { class: "card form-stack", id: "survey-builder", novalidate: true },
      field(ui, "Name", name), field(ui, "Template", template), langs,
      field(ui, "Questions (JSON)", questions,
        "Custom: rating, single, multi, text; show_if {question, equals|in|at_most|at_least}. " +
        "For NPS/CSAT/CES, extra questions after the template's."),
      field(ui, "Preview language", previewLang),
      error, ui.el("button", { type: "submit", class: "button" }, "Create survey"));

    function definition() {
      const body = { name: name.value.trim() || "Survey", template: template.value,
        languages: Array.from(form.querySelectorAll('input[name="lang"]:checked')).map((i) => i.value) };
      const text = questions.value.trim();
      if (text) body.questions = JSON.parse(text);
      return body;
    }

    let timer = null;
    function refresh() {
      clearTimeout(timer);
      timer = setTimeout(() => {
        let def;
        try {
          def = definition();
          ui.setAlert(error, "", "error");
        } catch (err) {
          ui.setAlert(error, "Questions are not valid JSON: " + err.message, "error");
          return;
        }
        const params = new URLSearchParams({ def: encodeDef(def), lang: previewLang.value,
          color: brand.primary_color || "", brand: brand.name || "" });
        if (brand.logo_url) params.set("logo", brand.logo_url);
        frame.src = "/s/preview?" + params.toString();
      }, 250);
    }

    template.addEventListener("change", () => {
      if (template.value === "custom" && !questions.value.trim()) questions.value = JSON.stringify(CUSTOM_EXAMPLE, null, 1);
      refresh();
    });
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const created = await send("POST", "/api/v1/surveys", definition());
        location.hash = "#/surveys/" + encodeURIComponent(created.id);
      } catch (err) {
        ui.setAlert(error, err.message, "error");
      }
    });
    container.append(head(ui, "New survey", "Pick a template, the languages, and check the preview."),
      ui.el("div", { style: "display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1.5rem;align-items:start" },
        form, ui.el("div", null, ui.el("h2", null, "Preview"), frame)));
    refresh();
    container.dataset.rendered = "surveys-builder";
  }

  // ---- results -------------------------------------------------------------------------

  function stat(ui, label, value, title) {
    return ui.el("div", { class: "stat", title: title || null }, ui.el("dt", null, label), ui.el("dd", null, value));
  }

  function scoreLabel(result) {
    return result.metric === "nps" ? "NPS" : result.metric === "csat" ? "CSAT (% satisfied)"
      : result.metric === "ces" ? "CES (mean)" : "Mean rating";
  }

  function channelChart(ui, node, groups, label) {
    const names = Object.keys(groups);
    chart(node, {
      tooltip: { trigger: "axis", formatter: (items) => items.map((i) => {
        const g = groups[i.name];
        return ui.channelLabel(i.name) + ": " + fmt(g.score) + " (95% CI " + fmt(g.ci95 && g.ci95[0]) +
          " – " + fmt(g.ci95 && g.ci95[1]) + ", n=" + g.responses + ")";
      }).join("<br>") },
      grid: { left: 24, right: 24, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { formatter: (c) => ui.channelLabel(c) } },
      yAxis: { type: "value", name: label },
      series: [{ type: "bar", name: label, data: names.map((n) => ({ value: groups[n].score,
        itemStyle: { color: ui.channelColour(n) } })) }],
    });
  }

  function timeChart(node, groups, label) {
    const periods = Object.keys(groups);
    chart(node, {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 24, right: 24, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: periods },
      yAxis: [{ type: "value", name: label }, { type: "value", name: "responses" }],
      series: [
        { type: "line", name: label, data: periods.map((p) => groups[p].score) },
        { type: "bar", name: "responses", yAxisIndex: 1, data: periods.map((p) => groups[p].responses),
          itemStyle: { opacity: 0.35 } },
      ],
    });
  }

  function sendForm(ui, surveyId) {
    const kind = ui.el("select", { id: "send-type" }, ...["email", "phone", "user_id"].map((t) => ui.el("option", { value: t }, t)));
    const value = ui.el("input", { id: "send-value", placeholder: "ana@example.com" });
    const channel = ui.el("select", { id: "send-channel" }, ...CHANNELS.map((c) => ui.el("option", { value: c }, ui.channelLabel(c))));
    const out = ui.el("div", { role: "status" });
    const form = ui.el("form", { class: "card form-stack", id: "survey-send" },
      ui.el("h2", null, "Send"), field(ui, "Identity type", kind), field(ui, "Identity", value),
      field(ui, "Channel", channel), ui.el("button", { class: "button", type: "submit" }, "Send survey"), out);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      out.replaceChildren();
      try {
        const sent = await send("POST", "/api/v1/surveys/" + encodeURIComponent(surveyId) + "/send",
          { identity: { type: kind.value, value: value.value }, channel: channel.value });
        out.append(ui.el("p", null, "Status: " + sent.status + " · ", ui.el("a", { href: sent.url, target: "_blank", rel: "noopener" }, "survey link")),
          ui.el("img", { src: sent.qr_svg, alt: "QR code of the survey link", width: "160", height: "160" }));
      } catch (err) {
        out.append(ui.el("p", { class: "alert alert-error" }, err.message));
      }
    });
    return form;
  }

  async function renderResults(ui, container, seq, surveyId, params) {
    const id = encodeURIComponent(surveyId);
    const period = ["day", "week", "month"].includes(params.get("period")) ? params.get("period") : "week";
    const [survey, byChannel, overTime] = await Promise.all([
      ui.api("/api/v1/surveys/" + id),
      ui.api("/api/v1/surveys/" + id + "/results?group_by=channel"),
      ui.api("/api/v1/surveys/" + id + "/results?group_by=" + period),
    ]);
    if (!ui.isCurrent(seq)) return;
    const label = scoreLabel(byChannel);
    container.append(head(ui, survey.name, (TEMPLATES[survey.template] || survey.template) + " · " +
      survey.languages.join(", "), ui.el("a", { href: "#/surveys" }, "All surveys")));
    const ci = byChannel.ci95 ? fmt(byChannel.ci95[0]) + " – " + fmt(byChannel.ci95[1]) : "–";
    const stats = ui.el("dl", { class: "stats", id: "survey-stats" },
      stat(ui, label, fmt(byChannel.score), "unrounded: " + byChannel.score),
      stat(ui, "95% interval", ci), stat(ui, "Responses", ui.formatNumber(byChannel.responses)));
    if (byChannel.metric === "nps") {
      stats.append(stat(ui, "Promoters / passives / detractors",
        byChannel.promoters + " / " + byChannel.passives + " / " + byChannel.detractors));
    } else {
      stats.append(stat(ui, byChannel.metric === "csat" ? "Mean (1–5)" : "Mean", fmt(byChannel.mean, 2)));
    }
    container.append(stats);
    if (!byChannel.responses) container.append(ui.el("p", { class: "empty" }, "No responses yet."));
    const perChannel = ui.el("div", { class: "chart", id: "survey-chart-channel" });
    const periodSelect = ui.el("select", { id: "survey-period" },
      ...["day", "week", "month"].map((p) => ui.el("option", { value: p, selected: p === period }, p)));
    periodSelect.addEventListener("change", () => {
      location.hash = "#/surveys/" + id + "?period=" + periodSelect.value;
    });
    const perTime = ui.el("div", { class: "chart", id: "survey-chart-time" });
    container.append(
      ui.el("section", { class: "card" }, ui.el("h2", null, label + " per channel (multichannel lens)"), perChannel,
        table(ui, [["channel", "Channel", (r) => ui.channelBadge(r.channel)], ["score", label, (r) => fmt(r.score)],
          ["ci", "95% interval", (r) => (r.ci95 ? fmt(r.ci95[0]) + " – " + fmt(r.ci95[1]) : "–")],
          ["responses", "Responses"]],
        Object.entries(byChannel.groups).map(([channel, g]) => Object.assign({ channel }, g)))),
      ui.el("section", { class: "card" }, ui.el("h2", null, label + " over time"),
        ui.el("label", null, "Period ", periodSelect), perTime));
    const lens = byChannel.omnichannel;
    container.append(ui.el("section", { class: "card", id: "survey-omnichannel" },
      ui.el("h2", null, "Omnichannel lens"),
      ui.el("p", { class: "muted" }, lens.customers + " customers answered on two or more channels. Consistency index " +
        fmt(lens.consistency.index) + " (100 = the same experience everywhere); spread between channel scores " +
        fmt(lens.consistency.spread) + "."),
      table(ui, [["channel", "Channel", (r) => ui.channelBadge(r.channel)], ["score", label, (r) => fmt(r.score)], ["responses", "Responses"]],
        Object.entries(lens.channels).map(([channel, g]) => Object.assign({ channel }, g)))));
    container.append(ui.el("section", { class: "card" }, ui.el("h2", null, "Distribution"),
      table(ui, [["channel", "Channel", (r) => ui.channelBadge(r.channel)], ["invitations", "Invitations"],
        ["answered", "Answered"], ["rate", "Response rate", (r) => (r.response_rate === null ? "–" : fmt(100 * r.response_rate) + "%")]],
      Object.entries(byChannel.distribution_by_channel).map(([channel, d]) => Object.assign({ channel }, d))),
      ui.el("p", null, "Store QR code (anonymous link): ", ui.el("a", { href: survey.links.store_qr_svg, target: "_blank", rel: "noopener" }, "SVG"),
        " · ", ui.el("a", { href: survey.links.store_qr_png, target: "_blank", rel: "noopener" }, "PNG"))));
    container.append(sendForm(ui, surveyId));
    channelChart(ui, perChannel, byChannel.groups, label);
    timeChart(perTime, overTime.groups, label);
    container.dataset.rendered = "survey-results";
  }

    window.OmniCXViews = window.OmniCXViews || {};
  window.OmniCXViews.surveys = {
    title: "Surveys",
    nav: "Surveys",
    order: 10,
    async render(container, context) {
      const ui = window.OmniCX;
      const path = context.path || [];
      if (path[0] === "new") await renderBuilder(ui, container, context.seq);
      else if (path[0]) await renderResults(ui, container, context.seq, path[0], context.params);
      else await renderList(ui, container, context.seq);
    },
  };
})();
