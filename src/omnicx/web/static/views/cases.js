/*
 * Cases (#/cases, #/cases/<id>): the inbox with status/SLA filters, and a case with the
 * customer's context (profile, recent cross-channel timeline, the response), notes,
 * status transitions, a follow-up message and resolution with an optional re-survey.
 *
 * Customer data reaches the page only as text (window.OmniCX.el), never as HTML.
 */
(function () {
  "use strict";

  const STATUS_LABELS = {
    open: "Open",
    assigned: "Assigned",
    in_progress: "In progress",
    resolved: "Resolved",
    closed: "Closed",
  };
  const FILTERS = [
    ["active", "Active (open, assigned, in progress)"],
    ["open", "Open"],
    ["assigned", "Assigned"],
    ["in_progress", "In progress"],
    ["resolved", "Resolved"],
    ["closed", "Closed"],
    ["", "All"],
  ];
  const TRANSITION_LABELS = {
    open: "Unassign",
    assigned: "Assign",
    in_progress: "Start work",
    resolved: "Resolve",
    closed: "Close",
  };

  function send(method, path, body) {
    return window.OmniCXClosedLoop.send(method, path, body);
  }

  function errorText(err) {
    return window.OmniCXClosedLoop.errorText(err);
  }

  function statusPill(ui, status) {
    return ui.el("span", { class: "type-pill", "data-status": status }, STATUS_LABELS[status] || status);
  }

  function slaCell(ui, c) {
    if (c.sla_breached) {
      return ui.el("span", { class: "type-pill", "data-breached": "true",
        style: "background:#b91c1c;color:#fff" }, "SLA breached");
    }
    return ui.el("span", { title: c.sla_due_at }, "due " + ui.formatTime(c.sla_due_at));
  }

  // ---- the inbox ----------------------------------------------------------------------

  function filterForm(ui, params) {
    const status = ui.el("select", { id: "case-status", name: "status" },
      FILTERS.map(([value, label]) => ui.el("option", {
        value, selected: (params.get("status") ?? "active") === value }, label)));
    const breached = ui.el("input", { id: "case-breached", type: "checkbox",
      checked: params.get("breached") === "true" });
    const owner = ui.el("input", { id: "case-owner", value: params.get("owner") || "", dir: "auto" });
    const form = ui.el("form", { class: "card search-form", id: "case-filters" },
      ui.el("div", { class: "field" }, ui.el("label", { for: "case-status" }, "Status"), status),
      ui.el("div", { class: "field" }, ui.el("label", { for: "case-owner" }, "Owner"), owner),
      ui.el("div", { class: "field field-inline" }, breached,
        ui.el("label", { for: "case-breached" }, "SLA breached only")),
      ui.el("button", { type: "submit", class: "button" }, "Filter"));
    const apply = (ev) => {
      if (ev) ev.preventDefault();
      const query = new URLSearchParams();
      query.set("status", status.value);
      if (breached.checked) query.set("breached", "true");
      if (owner.value.trim()) query.set("owner", owner.value.trim());
      location.hash = "#/cases?" + query.toString();
    };
    form.addEventListener("submit", apply);
    status.addEventListener("change", apply);
    breached.addEventListener("change", apply);
    return form;
  }

  async function renderInbox(ui, container, ctx) {
    const params = ctx.params || new URLSearchParams();
    const query = new URLSearchParams();
    const status = params.get("status") ?? "active";
    if (status) query.set("status", status);
    if (params.get("breached")) query.set("breached", params.get("breached"));
    if (params.get("owner")) query.set("owner", params.get("owner"));
    query.set("limit", "200");
    const data = await ui.api("/api/v1/cases?" + query.toString());
    if (!ui.isCurrent(ctx.seq)) return;
    const counts = data.counts || {};
    const cases = data.cases || [];
    container.append(
      ui.el("div", { class: "view-head" },
        ui.el("h1", { tabindex: "-1" }, "Cases"),
        ui.el("p", { class: "muted", id: "case-counts" },
          Object.keys(STATUS_LABELS).map((s) => STATUS_LABELS[s] + " " + (counts[s] || 0))
            .join(" · ") + " · SLA breached " + (counts.breached || 0))),
      filterForm(ui, params),
      ui.el("section", { class: "card", "aria-labelledby": "case-list-title" },
        ui.el("div", { class: "card-head" },
          ui.el("h2", { id: "case-list-title" }, "Inbox"),
          ui.el("span", { class: "muted" }, ui.formatNumber(data.total) + " cases")),
        cases.length
          ? ui.el("div", { class: "table-scroll" }, ui.el("table", { class: "table", id: "case-table" },
              ui.el("thead", null, ui.el("tr", null,
                ["Case", "Customer", "Status", "Owner", "SLA", "Opened"].map((h) => ui.el("th", null, h)))),
              ui.el("tbody", null, cases.map((c) => ui.el("tr", { "data-case-id": c.id },
                ui.el("th", { scope: "row" },
                  ui.el("a", { href: "#/cases/" + encodeURIComponent(c.id), dir: "auto" }, c.title),
                  c.comment ? ui.el("span", { class: "seen", dir: "auto" }, "“" + c.comment + "”") : null),
                ui.el("td", null, ui.el("a", { href: "#/profiles/" + encodeURIComponent(c.profile_id) },
                  c.profile_id), " ", c.channel ? ui.channelBadge(c.channel) : null),
                ui.el("td", null, statusPill(ui, c.status)),
                ui.el("td", { dir: "auto" }, c.owner || "—"),
                ui.el("td", null, slaCell(ui, c)),
                ui.el("td", { class: "nowrap" }, ui.formatTime(c.created_at)))))))
          : ui.el("p", { class: "empty" }, "No cases match.")));
  }

  // ---- one case -------------------------------------------------------------------------

  function identityList(ui, profile) {
    return ui.el("dl", { class: "props", id: "case-identities" },
      (profile.identities || []).map((i) => ui.el("div", null,
        ui.el("dt", null, i.type), ui.el("dd", { dir: "auto" }, i.value))));
  }

  function traitList(ui, traits) {
    const keys = Object.keys(traits || {}).slice(0, 12);
    if (!keys.length) return ui.el("p", { class: "muted" }, "No traits.");
    return ui.el("dl", { class: "props" }, keys.map((k) => ui.el("div", null,
      ui.el("dt", { dir: "auto" }, k),
      ui.el("dd", { dir: "auto" }, typeof traits[k] === "object" ? JSON.stringify(traits[k]) : String(traits[k])))));
  }

  function timelineList(ui, events) {
    if (!events.length) return ui.el("p", { class: "muted" }, "No events.");
    return ui.el("ol", { class: "timeline", id: "case-timeline" }, events.map((ev) =>
      ui.el("li", { class: "event", "data-channel": ev.channel },
        ui.el("div", { class: "event-channel" }, ui.channelBadge(ev.channel)),
        ui.el("div", { class: "event-main" },
          ui.el("p", { class: "event-title" },
            ui.el("span", { class: "event-name", dir: "auto" }, ev.event || ev.name || ev.type))),
        ui.el("div", { class: "event-time" }, ui.formatTime(ev.timestamp)))));
  }

  function responseCard(ui, response) {
    const props = (response && response.properties) || {};
    const rows = [
      ["Event", response.event], ["Channel", response.channel], ["Survey", props.survey_name],
      ["Score", props.score], ["Comment", props.comment || props.text],
      ["Sentiment", typeof props.sentiment === "object" ? JSON.stringify(props.sentiment) : props.sentiment],
      ["When", ui.formatTime(response.timestamp)],
    ].filter(([, v]) => v !== undefined && v !== null && v !== "");
    return ui.el("dl", { class: "props", id: "case-response" }, rows.map(([k, v]) =>
      ui.el("div", null, ui.el("dt", null, k), ui.el("dd", { dir: "auto" }, String(v)))));
  }

  function actionForm(ui, id, label, fields, submitLabel, onSubmit) {
    const message = ui.el("p", { class: "alert", role: "status", hidden: true });
    const form = ui.el("form", { class: "form-stack", id, novalidate: true, "aria-label": label },
      fields, ui.el("button", { type: "submit", class: "button" }, submitLabel), message);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      ui.setAlert(message, "", "info");
      try {
        await onSubmit(form, message);
      } catch (err) {
        ui.setAlert(message, errorText(err), "error");
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  function field(ui, id, label, control) {
    return ui.el("div", { class: "field" }, ui.el("label", { for: id }, label), control);
  }

  async function renderCase(ui, container, ctx, caseId) {
    const c = await ui.api("/api/v1/cases/" + encodeURIComponent(caseId));
    if (!ui.isCurrent(ctx.seq)) return;
    const path = "/api/v1/cases/" + encodeURIComponent(c.id);
    const reload = () => window.dispatchEvent(new HashChangeEvent("hashchange"));
    const context = c.context || {};
    const profile = context.profile;
    const suggestion = context.follow_up || {};

    const owner = ui.el("input", { id: "case-owner-input", value: c.owner || "", dir: "auto" });
    const transitions = ui.el("div", { class: "field field-inline", role: "group",
      "aria-label": "Change status" },
      (c.transitions || []).filter((t) => t !== "resolved").map((t) => {
        const button = ui.el("button", { type: "button", class: "button button-secondary",
          "data-transition": t }, TRANSITION_LABELS[t] || t);
        button.addEventListener("click", async () => {
          button.disabled = true;
          try {
            const body = { status: t };
            if (owner.value.trim()) body.owner = owner.value.trim();
            await send("PATCH", path, body);
            reload();
          } catch (err) {
            ui.setAlert(statusMessage, errorText(err), "error");
            button.disabled = false;
          }
        });
        return button;
      }));
    const statusMessage = ui.el("p", { class: "alert", role: "status", hidden: true });

    const notes = ui.el("ul", { id: "case-notes" }, (c.notes || []).map((n) =>
      ui.el("li", null, ui.el("span", { dir: "auto" }, n.text), " ",
        ui.el("span", { class: "muted" }, "— " + (n.author || "someone") + ", " + ui.formatTime(n.at)))));

    const channelSelect = ui.el("select", { id: "follow-up-channel" },
      ui.el("option", { value: "" }, "Preferred (" + (suggestion.channel || "none available") + ")"),
      ["email", "sms", "whatsapp"].map((ch) => ui.el("option", { value: ch }, ui.channelLabel(ch))));

    const resolvable = (c.transitions || []).includes("resolved");
    const resurvey = c.resurvey;
    container.append(
      ui.el("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, ui.el("a", { href: "#/cases" }, "← Cases")),
      ui.el("div", { class: "view-head" },
        ui.el("h1", { tabindex: "-1", dir: "auto" }, c.title),
        ui.el("p", null, statusPill(ui, c.status), " ", slaCell(ui, c), " ",
          ui.el("span", { class: "muted" }, "Owner: " + (c.owner || "nobody")))),
      ui.el("div", { class: "grid-360" },
        ui.el("div", { class: "col-side" },
          ui.el("section", { class: "card", "aria-labelledby": "case-response-title" },
            ui.el("div", { class: "card-head" }, ui.el("h2", { id: "case-response-title" }, "The response")),
            responseCard(ui, context.response || c.trigger || {})),
          ui.el("section", { class: "card", "aria-labelledby": "case-customer-title" },
            ui.el("div", { class: "card-head" },
              ui.el("h2", { id: "case-customer-title" }, "Customer"),
              profile ? ui.el("a", { href: "#/profiles/" + encodeURIComponent(profile.id) }, "Customer 360 →") : null),
            profile ? [identityList(ui, profile), traitList(ui, profile.traits)]
              : ui.el("p", { class: "muted" }, "The profile no longer exists.")),
          resurvey ? ui.el("section", { class: "card", id: "case-resurvey", "aria-labelledby": "case-resurvey-title" },
            ui.el("div", { class: "card-head" }, ui.el("h2", { id: "case-resurvey-title" }, "Re-survey")),
            ui.el("p", null, "Sent by " + resurvey.channel + " " + ui.formatTime(resurvey.sent_at) + ". ",
              resurvey.url ? ui.el("a", { href: resurvey.url, rel: "noopener", target: "_blank" }, "Survey link") : null),
            ui.el("p", { id: "case-resurvey-answer" }, resurvey.response
              ? "Answered: score " + resurvey.response.score +
                (resurvey.response.comment ? " — “" + resurvey.response.comment + "”" : "")
              : "Not answered yet.")) : null),
        ui.el("div", { class: "col-main" },
          ui.el("section", { class: "card", "aria-labelledby": "case-work-title" },
            ui.el("div", { class: "card-head" }, ui.el("h2", { id: "case-work-title" }, "Work the case")),
            field(ui, "case-owner-input", "Owner", owner),
            transitions, statusMessage),
          ui.el("section", { class: "card", "aria-labelledby": "case-notes-title" },
            ui.el("div", { class: "card-head" }, ui.el("h2", { id: "case-notes-title" }, "Notes")),
            notes,
            actionForm(ui, "note-form", "Add a note",
              field(ui, "note-text", "Note", ui.el("textarea", { id: "note-text", rows: 2, dir: "auto" })),
              "Add note",
              async (form) => {
                await send("POST", path + "/notes", {
                  text: form.querySelector("#note-text").value,
                  author: owner.value.trim() || null,
                });
                reload();
              })),
          c.status !== "closed" ? ui.el("section", { class: "card", "aria-labelledby": "case-follow-title" },
            ui.el("div", { class: "card-head" },
              ui.el("h2", { id: "case-follow-title" }, "Follow up with the customer"),
              ui.el("span", { class: "muted" }, suggestion.channel
                ? "Preferred consented channel: " + suggestion.channel + " (" + suggestion.to + ")"
                : suggestion.reason || "")),
            actionForm(ui, "follow-up-form", "Follow up",
              [field(ui, "follow-up-channel", "Channel", channelSelect),
               field(ui, "follow-up-text", "Message", ui.el("textarea", { id: "follow-up-text", rows: 3, dir: "auto" }))],
              "Send follow-up",
              async (form, message) => {
                const body = { text: form.querySelector("#follow-up-text").value };
                if (channelSelect.value) body.channel = channelSelect.value;
                const result = await send("POST", path + "/follow-up", body);
                ui.setAlert(message, "Sent by " + result.delivery.channel + " to " + result.delivery.to + ".", "info");
                form.querySelector("#follow-up-text").value = "";
              })) : null,
          resolvable ? ui.el("section", { class: "card", "aria-labelledby": "case-resolve-title" },
            ui.el("div", { class: "card-head" }, ui.el("h2", { id: "case-resolve-title" }, "Resolve")),
            actionForm(ui, "resolve-form", "Resolve",
              [field(ui, "resolve-note", "Resolution note (optional)",
                 ui.el("textarea", { id: "resolve-note", rows: 2, dir: "auto" })),
               field(ui, "resolve-resurvey", "Re-survey (survey id, optional)",
                 ui.el("input", { id: "resolve-resurvey", dir: "ltr", list: "resolve-surveys" }))],
              "Resolve case",
              async (form) => {
                const body = {};
                const note = form.querySelector("#resolve-note").value.trim();
                const survey = form.querySelector("#resolve-resurvey").value.trim();
                if (note) body.note = note;
                if (survey) body.resurvey = survey;
                await send("POST", path + "/resolve", body);
                reload();
              })) : null,
          ui.el("section", { class: "card", "aria-labelledby": "case-timeline-title" },
            ui.el("div", { class: "card-head" },
              ui.el("h2", { id: "case-timeline-title" }, "Recent activity on every channel"),
              ui.el("span", { class: "muted" }, "Last " + (context.timeline || []).length + " events")),
            timelineList(ui, context.timeline || [])),
          ui.el("section", { class: "card", "aria-labelledby": "case-history-title" },
            ui.el("div", { class: "card-head" }, ui.el("h2", { id: "case-history-title" }, "History")),
            ui.el("ul", { id: "case-history" }, (c.activity || []).map((a) =>
              ui.el("li", null, ui.el("span", { class: "muted" }, ui.formatTime(a.at) + " "),
                a.kind + (a.data && a.data.to && a.kind === "status" ? " → " + a.data.to : ""))))))));
    // offer the workspace's surveys, when the surveys API answers
    try {
      const surveys = await ui.api("/api/v1/surveys");
      const list = ui.el("datalist", { id: "resolve-surveys" },
        ((surveys && surveys.surveys) || []).map((s) => ui.el("option", { value: s.id }, s.name)));
      if (ui.isCurrent(ctx.seq)) container.append(list);
    } catch (_err) {
      /* no surveys to offer */
    }
  }

  async function render(container, ctx) {
    const ui = window.OmniCX;
    const id = (ctx.path || [])[0];
    if (id) {
      let caseId = id;
      try {
        caseId = decodeURIComponent(id);
      } catch (_err) {
        /* keep it raw: the API answers 404 */
      }
      await renderCase(ui, container, ctx, caseId);
    } else {
      await renderInbox(ui, container, ctx);
    }
  }

  window.OmniCXViews = window.OmniCXViews || {};
  window.OmniCXViews.cases = { title: "Cases", nav: "Cases", order: 41, render };
})();
