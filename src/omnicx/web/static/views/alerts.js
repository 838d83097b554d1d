/*
 * Alerts (#/alerts): the workspace's alert rules, a form to create one (with presets for
 * the common shapes), and the recent firings with each delivery's status.
 *
 * Customer data reaches the page only as text (window.OmniCX.el), never as HTML.
 */
(function () {
  "use strict";

  const TOKEN_KEY = "omnicx.adminToken";

  const PRESETS = {
    detractor: { label: "Any detractor", when: { score_at_most: 6 } },
    vip_csat: {
      label: "CSAT ≤ 2 on a VIP",
      when: { template: "csat", score_at_most: 2, profile_traits: { vip: true } },
    },
    topic: {
      label: "Negative feedback about a topic",
      when: { event: "Feedback Received", sentiment: "negative", topic: "delivery" },
    },
    nps_drop: {
      label: "A channel's NPS drops",
      when: { metric: "nps", channel: "sms", drop_points: 20, window: "7d" },
    },
  };

  /** POST/PATCH/DELETE with the admin token; errors carry the API's field errors. */
  async function send(method, path, body) {
    let token = "";
    try {
      token = localStorage.getItem(TOKEN_KEY) || "";
    } catch (_err) {
      token = "";
    }
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          Authorization: "Bearer " + token,
          Accept: "application/json",
          "Content-Type": "application/json",
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (err) {
      throw new Error("Cannot reach the OmniCX server: " + err.message);
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch (_err) {
      data = null;
    }
    if (response.ok) return data;
    if (response.status === 401) {
      location.hash = "#/login";
    }
    const error = new Error((data && data.error) || "HTTP " + response.status);
    error.status = response.status;
    error.fields = (data && data.errors) || [];
    throw error;
  }

  function errorText(err) {
    const fields = (err.fields || [])
      .filter((f) => f.field)
      .map((f) => f.field + ": " + f.message);
    return fields.length ? err.message + " (" + fields.join("; ") + ")" : err.message;
  }

  function compact(value) {
    return JSON.stringify(value);
  }

  function describeActions(actions) {
    return (actions || [])
      .map((a) =>
        a.type === "webhook" ? "webhook → " + a.url
        : a.type === "email" ? "email → " + a.to
        : "open case" + (a.sla_hours ? " (SLA " + a.sla_hours + " h)" : ""))
      .join(", ");
  }

  function firingSummary(firing) {
    const event = firing.event || {};
    if (event.metric) {
      return event.metric.toUpperCase() + " on " + (event.channel || "all channels") + ": " +
        event.previous.score + " → " + event.current.score + " (−" + event.drop + ")";
    }
    const props = event.properties || {};
    const parts = [event.event || ""];
    if (props.score !== undefined && props.score !== null) parts.push("score " + props.score);
    const text = props.comment || props.text;
    if (text) parts.push("“" + String(text).slice(0, 80) + "”");
    return parts.join(" · ");
  }

  // ---- the form ---------------------------------------------------------------------

  function ruleForm(ui, onCreated) {
    const message = ui.el("p", { class: "alert", role: "status", hidden: true });
    const when = ui.el("textarea", { id: "alert-when", rows: 4, spellcheck: "false", dir: "ltr" },
      compact(PRESETS.detractor.when));
    const presets = ui.el("div", { class: "field field-inline", role: "group",
      "aria-label": "Presets" },
      Object.entries(PRESETS).map(([key, preset]) =>
        ui.el("button", { type: "button", class: "button button-quiet", "data-preset": key,
          onclick: () => { when.value = compact(preset.when); } }, preset.label)));
    const form = ui.el("form", { class: "form-stack", id: "alert-form", novalidate: true },
      ui.el("div", { class: "field" },
        ui.el("label", { for: "alert-name" }, "Name"),
        ui.el("input", { id: "alert-name", name: "name", required: true, dir: "auto" })),
      presets,
      ui.el("div", { class: "field" },
        ui.el("label", { for: "alert-when" }, "When (JSON)"),
        when,
        ui.el("p", { class: "help" },
          "Conditions: survey, template, score_at_most, score_at_least, event, sentiment, " +
          "topic, channel, profile_traits — or metric, drop_points, window for a drop.")),
      ui.el("div", { class: "field" },
        ui.el("label", { for: "alert-webhook" }, "Webhook URL (optional)"),
        ui.el("input", { id: "alert-webhook", type: "url", placeholder: "https://…", dir: "ltr" })),
      ui.el("div", { class: "field" },
        ui.el("label", { for: "alert-email" }, "Email to (optional)"),
        ui.el("input", { id: "alert-email", type: "email", dir: "ltr" })),
      ui.el("div", { class: "field field-inline" },
        ui.el("input", { id: "alert-case", type: "checkbox", checked: true }),
        ui.el("label", { for: "alert-case" }, "Open a case"),
        ui.el("label", { for: "alert-sla" }, "SLA hours"),
        ui.el("input", { id: "alert-sla", type: "number", min: "0.1", step: "0.1",
          placeholder: "24", style: "max-width:6rem" })),
      ui.el("button", { type: "submit", class: "button" }, "Create alert"),
      message);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      ui.setAlert(message, "", "info");
      let parsed;
      try {
        parsed = JSON.parse(when.value || "{}");
      } catch (err) {
        ui.setAlert(message, "When is not valid JSON: " + err.message, "error");
        return;
      }
      const actions = [];
      const url = form.querySelector("#alert-webhook").value.trim();
      const to = form.querySelector("#alert-email").value.trim();
      const sla = form.querySelector("#alert-sla").value.trim();
      if (url) actions.push({ type: "webhook", url });
      if (to) actions.push({ type: "email", to });
      if (form.querySelector("#alert-case").checked) {
        actions.push(sla ? { type: "open_case", sla_hours: Number(sla) } : { type: "open_case" });
      }
      const body = { name: form.querySelector("#alert-name").value, when: parsed, actions };
      try {
        const rule = await send("POST", "/api/v1/alerts", body);
        ui.setAlert(message, "Created “" + rule.name + "”. Webhook signing secret (shown once): " +
          rule.secret, "info");
        onCreated();
      } catch (err) {
        ui.setAlert(message, errorText(err), "error");
      }
    });
    return ui.el("section", { class: "card", "aria-labelledby": "alert-form-title" },
      ui.el("div", { class: "card-head" }, ui.el("h2", { id: "alert-form-title" }, "New alert rule")),
      form);
  }

  // ---- lists ------------------------------------------------------------------------

  function rulesTable(ui, rules, reload) {
    if (!rules.length) return ui.el("p", { class: "empty" }, "No alert rules yet.");
    return ui.el("div", { class: "table-scroll" },
      ui.el("table", { class: "table", id: "alert-rules" },
        ui.el("thead", null, ui.el("tr", null,
          ["Name", "When", "Actions", "Firings", "Last fired", ""].map((h) => ui.el("th", null, h)))),
        ui.el("tbody", null, rules.map((rule) => {
          const toggle = ui.el("button", { type: "button", class: "button button-quiet" },
            rule.enabled ? "Disable" : "Enable");
          toggle.addEventListener("click", async () => {
            toggle.disabled = true;
            try {
              await send("PATCH", "/api/v1/alerts/" + encodeURIComponent(rule.id),
                { enabled: !rule.enabled });
              reload();
            } catch (err) {
              toggle.disabled = false;
              toggle.title = errorText(err);
            }
          });
          const state = rule.metric_state;
          return ui.el("tr", { "data-rule-id": rule.id },
            ui.el("th", { scope: "row", dir: "auto" }, rule.name,
              rule.enabled ? null : ui.el("span", { class: "muted" }, " (disabled)")),
            ui.el("td", null, ui.el("code", { dir: "ltr" }, compact(rule.when)),
              state && state.firing ? ui.el("span", { class: "type-pill" }, "firing") : null),
            ui.el("td", { dir: "auto" }, describeActions(rule.actions)),
            ui.el("td", { class: "num" }, ui.formatNumber(rule.firings)),
            ui.el("td", null, ui.formatTime(rule.last_fired_at)),
            ui.el("td", null, toggle));
        }))));
  }

  function firingsTable(ui, firings) {
    if (!firings.length) return ui.el("p", { class: "empty" }, "Nothing has fired yet.");
    return ui.el("div", { class: "table-scroll" },
      ui.el("table", { class: "table", id: "alert-firings" },
        ui.el("thead", null, ui.el("tr", null,
          ["Fired", "Rule", "What", "Customer", "Case", "Deliveries"].map((h) => ui.el("th", null, h)))),
        ui.el("tbody", null, firings.map((f) => ui.el("tr", { "data-firing-id": f.id },
          ui.el("td", { class: "nowrap" }, ui.formatTime(f.fired_at)),
          ui.el("td", { dir: "auto" }, f.rule_name || f.rule_id),
          ui.el("td", { dir: "auto" }, firingSummary(f)),
          ui.el("td", null, f.profile_id
            ? ui.el("a", { href: "#/profiles/" + encodeURIComponent(f.profile_id) }, f.profile_id)
            : "—"),
          ui.el("td", null, f.case_id
            ? ui.el("a", { href: "#/cases/" + encodeURIComponent(f.case_id) }, f.case_id)
            : "—"),
          ui.el("td", null, (f.deliveries || []).map((d) =>
            ui.el("div", { class: "nowrap", title: d.last_error || "" },
              d.type + ": " + d.status + " (" + d.attempts + "×)"))))))));
  }

  async function render(container, ctx) {
    const ui = window.OmniCX;
    const rulesBox = ui.el("div", { "aria-live": "polite" });
    const firingsBox = ui.el("div", { "aria-live": "polite" });
    async function reload() {
      const [rules, firings] = await Promise.all([
        ui.api("/api/v1/alerts"),
        ui.api("/api/v1/alerts/firings?limit=50"),
      ]);
      if (!ui.isCurrent(ctx.seq)) return;
      rulesBox.replaceChildren(rulesTable(ui, rules.alerts || [], reload));
      firingsBox.replaceChildren(firingsTable(ui, firings.firings || []));
    }
    container.append(
      ui.el("div", { class: "view-head" },
        ui.el("h1", { tabindex: "-1" }, "Alerts"),
        ui.el("p", { class: "muted" },
          "Rules checked as responses and events arrive; each firing calls its webhooks, " +
          "emails and opens cases.")),
      ruleForm(ui, reload),
      ui.el("section", { class: "card", "aria-labelledby": "alert-rules-title" },
        ui.el("div", { class: "card-head" }, ui.el("h2", { id: "alert-rules-title" }, "Rules")),
        rulesBox),
      ui.el("section", { class: "card", "aria-labelledby": "alert-firings-title" },
        ui.el("div", { class: "card-head" },
          ui.el("h2", { id: "alert-firings-title" }, "Recent firings")),
        firingsBox));
    await reload();
  }

  window.OmniCXViews = window.OmniCXViews || {};
  window.OmniCXViews.alerts = { title: "Alerts", nav: "Alerts", order: 40, render };
  window.OmniCXClosedLoop = { send, errorText };
})();
