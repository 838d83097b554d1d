/*
 * OmniCX dashboard: a small hash-routed single page, vanilla JS, no build step.
 *
 * Routes: #/ (overview), #/search, #/profiles/<id> (customer 360), #/login.
 *
 * Every value that comes from the API is customer data and untrusted. It reaches the
 * page only through textContent and setAttribute (see `el`), never as HTML, and cells
 * holding customer data get dir="auto" so right-to-left names render correctly.
 */
(function () {
  "use strict";

  const TOKEN_KEY = "omnicx.adminToken";
  const TIMELINE_PAGE = 50;

  /** The canonical channels (DESIGN.md), in display order, with their labels. Colours
   *  live in app.css as --ch-<channel>; badges and the chart both read them there. */
  const CHANNEL_LABELS = {
    web: "Web",
    mobile_app: "Mobile app",
    email: "Email",
    sms: "SMS",
    push: "Push",
    whatsapp: "WhatsApp",
    social: "Social",
    chat: "Chat",
    call_center: "Call center",
    store: "Store",
    ads: "Ads",
    other: "Other",
  };
  const CHANNEL_ORDER = Object.keys(CHANNEL_LABELS);
  /** Colours for channels outside the canonical set (channels are extensible). */
  const EXTRA_COLOURS = ["#0e7490", "#9d174d", "#3f6212", "#7e22ce", "#92400e", "#334155"];

  const IDENTITY_LABELS = {
    email: "Email",
    phone: "Phone",
    user_id: "User ID",
    anonymous_id: "Anonymous ID",
    loyalty_id: "Loyalty ID",
    device_id: "Device ID",
    profile_id: "Profile ID",
  };

  const TYPE_LABELS = {
    track: "Track",
    page: "Page",
    screen: "Screen",
    identify: "Identify",
    group: "Group",
    alias: "Alias",
  };

  /** Property keys worth showing first on a timeline row. */
  const KEY_PROPERTIES = [
    "title", "path", "url", "order_id", "revenue", "total", "value", "currency",
    "product_id", "name", "sku", "quantity", "reason", "subject", "campaign", "score",
    "email", "phone", "duration", "agent", "store_id", "location",
  ];
  const MAX_PROPERTIES = 6;

  // ---- errors and the API -----------------------------------------------------------

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }
  class AuthError extends ApiError {}

  function getToken() {
    try {
      return localStorage.getItem(TOKEN_KEY) || "";
    } catch (_err) {
      return "";
    }
  }

  function setToken(token) {
    localStorage.setItem(TOKEN_KEY, token);
  }

  function clearToken() {
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch (_err) {
      /* storage unavailable: nothing to clear */
    }
  }

  /**
   * GET a JSON API path with the admin token. A 401 clears the stored token and returns
   * to the login form (unless `authRedirect` is false, as when checking a new token).
   */
  async function api(path, options) {
    const opts = options || {};
    const token = opts.token === undefined ? getToken() : opts.token;
    let response;
    try {
      const headers = { Authorization: "Bearer " + token, Accept: "application/json" };
      const init = { method: opts.method || "GET", headers, cache: "no-store" };
      if (opts.body !== undefined && opts.body !== null) {
        init.body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
        headers["Content-Type"] = "application/json";
      }
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiError(0, "Cannot reach the OmniCX server: " + err.message);
    }
    let body = null;
    try {
      body = await response.json();
    } catch (_err) {
      body = null;
    }
    if (response.ok) return body;
    const message =
      body && typeof body.error === "string"
        ? body.error
        : "HTTP " + response.status + " " + response.statusText;
    if (response.status === 401) {
      if (opts.authRedirect !== false) {
        clearToken();
        showLogin({
          error:
            "Your admin token was not accepted (" + message + "). " +
            "It may have been revoked: sign in again.",
        });
      }
      throw new AuthError(401, message);
    }
    throw new ApiError(response.status, message);
  }

  // ---- DOM helpers --------------------------------------------------------------------

  /**
   * Build an element. Attributes are set with setAttribute and children are appended
   * as nodes or text nodes, so no value is ever interpreted as HTML.
   */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  function show(node, visible) {
    node.hidden = !visible;
  }

  function setAlert(node, message, kind) {
    node.textContent = message || "";
    node.classList.remove("alert-error", "alert-info", "alert-warning");
    node.classList.add("alert");
    if (kind) node.classList.add("alert-" + kind);
    show(node, Boolean(message));
  }

  const numberFormat = new Intl.NumberFormat();

  function formatNumber(value) {
    return numberFormat.format(Number(value) || 0);
  }

  function formatTime(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return String(iso);
    return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  const rangeFormat = new Intl.DateTimeFormat(undefined, {
    dateStyle: "medium",
    timeStyle: "short",
  });

  /** "seen Aug 1, 2026, 9:00 – 9:06 AM", with the exact times in the tooltip. */
  function seenRange(first, last) {
    const start = new Date(first);
    const end = new Date(last || first);
    let text;
    try {
      text = rangeFormat.formatRange(start, end);
    } catch (_err) {
      text = formatTime(first) + " – " + formatTime(last);
    }
    return el("span", { class: "seen", title: "first seen " + first + ", last seen " + last },
      "seen " + text);
  }

  function timeEl(iso) {
    return el("time", { datetime: iso || null, title: iso || null }, formatTime(iso));
  }

  function channelLabel(channel) {
    return CHANNEL_LABELS[channel] || String(channel || "unknown");
  }

  function hashIndex(text, size) {
    let hash = 0;
    for (const ch of String(text)) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
    return hash % size;
  }

  function channelColour(channel) {
    if (CHANNEL_LABELS[channel]) {
      const value = getComputedStyle(document.documentElement)
        .getPropertyValue("--ch-" + channel)
        .trim();
      if (value) return value;
    }
    return EXTRA_COLOURS[hashIndex(channel, EXTRA_COLOURS.length)];
  }

  /** A coloured badge naming the channel; the same colour everywhere for a channel. */
  function channelBadge(channel, extra) {
    const badge = el(
      "span",
      { class: "badge", "data-channel": channel, title: "Channel: " + channel },
      channelLabel(channel),
      extra === undefined ? null : el("span", { class: "badge-count" }, extra)
    );
    if (CHANNEL_LABELS[channel]) badge.classList.add("ch-" + channel);
    else badge.style.setProperty("--badge-bg", channelColour(channel));
    return badge;
  }

  /** Customer data shown as text: scalars as they are, the rest as compact JSON. */
  function displayValue(value, limit) {
    let text;
    if (value === null || value === undefined) text = "—";
    else if (typeof value === "object") text = JSON.stringify(value);
    else text = String(value);
    const max = limit || 0;
    return max && text.length > max ? text.slice(0, max - 1) + "…" : text;
  }

  // ---- views and routing ---------------------------------------------------------------

  const VIEWS = ["login", "overview", "search", "profile", "analytics", "plugin"];
  let routeSeq = 0;
  let firstRoute = true;

  function showView(name, title) {
    for (const view of VIEWS) show($("#view-" + view), view === name);
    for (const link of $$("[data-nav]")) {
      if (link.dataset.nav === name) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    show($("#logout"), name !== "login");
    document.body.dataset.view = name;
    document.title = (title ? title + " · " : "") + "OmniCX";
  }

  function focusHeading(view) {
    if (firstRoute) return;
    const heading = $("h1", view);
    if (heading) heading.focus({ preventScroll: true });
  }

  function parseRoute() {
    const hash = location.hash.replace(/^#/, "") || "/";
    const [path, query] = hash.split("?");
    const parts = path.split("/").filter(Boolean);
    const params = new URLSearchParams(query || "");
    if (parts.length === 0 || parts[0] === "overview") return { name: "overview" };
    if (parts[0] === "login") return { name: "login" };
    if (parts[0] === "search") return { name: "search", params };
    if (parts[0] === "analytics") return { name: "analytics", analysis: parts[1] || "", params };
    const plugins = window.OmniCXViews || {};
    if (plugins[parts[0]]) return { name: "plugin", plugin: parts[0], rest: parts.slice(1), params };
    if (parts[0] === "profiles" && parts[1]) {
      let id = parts[1];
      try {
        id = decodeURIComponent(id);
      } catch (_err) {
        /* keep it raw: the API answers 404 */
      }
      return { name: "profile", id };
    }
    return { name: "overview" };
  }

  function showLogin(options) {
    const opts = options || {};
    routeSeq++;
    showView("login", "Sign in");
    setAlert($("#login-message"), opts.message || "", "info");
    setAlert($("#login-error"), opts.error || "", "error");
    const input = $("#login-token");
    input.value = "";
    input.focus();
  }

  async function route() {
    const seq = ++routeSeq;
    const current = parseRoute();
    const wasFirst = firstRoute;
    if (!getToken()) {
      showLogin();
      firstRoute = false;
      return;
    }
    if (current.name === "login") {
      location.replace("#/");
      return;
    }
    try {
      if (current.name === "overview") await renderOverview(seq);
      else if (current.name === "search") renderSearch(current.params);
      else if (current.name === "profile") await renderProfile(seq, current.id);
      else if (current.name === "plugin") {
        const plugin = window.OmniCXViews[current.plugin];
        showView("plugin", plugin.title);
        for (const link of $$("[data-nav]")) {
          if (link.dataset.nav === "plugin:" + current.plugin) link.setAttribute("aria-current", "page");
        }
        const container = $("#plugin-root");
        container.replaceChildren();
        await plugin.render(container, { seq, path: current.rest, params: current.params });
      } else if (current.name === "analytics") {
        showView("analytics", "Journeys");
        await window.OmniCXAnalyticsView.render(seq, current.analysis, current.params);
      }
    } catch (err) {
      if (err instanceof AuthError) return;
      if (seq !== routeSeq) return;
      const view = $("#view-" + current.name);
      const box = view && $(".view-error", view);
      if (box) setAlert(box, err.message, "error");
      else throw err;
    } finally {
      if (seq === routeSeq && !wasFirst) focusHeading($("#view-" + current.name));
      firstRoute = false;
    }
  }

  // ---- login -----------------------------------------------------------------------------

  async function onLogin(event) {
    event.preventDefault();
    const input = $("#login-token");
    const button = $("#login-form button[type=submit]");
    const token = input.value.trim();
    setAlert($("#login-message"), "", "info");
    if (!token) {
      setAlert($("#login-error"), "Enter your workspace admin token.", "error");
      input.focus();
      return;
    }
    if (!/^[\x21-\x7e]+$/.test(token)) {
      setAlert(
        $("#login-error"),
        "That is not an admin token: tokens contain no spaces or special characters.",
        "error"
      );
      input.focus();
      return;
    }
    button.disabled = true;
    setAlert($("#login-error"), "", "error");
    try {
      await api("/api/v1/stats", { token, authRedirect: false });
    } catch (err) {
      const message =
        err instanceof AuthError
          ? "That token was not accepted: " + err.message + "."
          : err.message;
      setAlert($("#login-error"), message, "error");
      input.select();
      input.focus();
      return;
    } finally {
      button.disabled = false;
    }
    setToken(token);
    input.value = "";
    setAlert($("#login-error"), "", "error");
    if (parseRoute().name === "login") location.replace("#/");
    route();
  }

  function onLogout() {
    clearToken();
    showLogin({ message: "You are logged out. The token was removed from this browser." });
  }

  // ---- overview ----------------------------------------------------------------------------

  let chart = null;

  async function renderOverview(seq) {
    const view = $("#view-overview");
    showView("overview", "Overview");
    setAlert($(".view-error", view), "", "error");
    view.setAttribute("aria-busy", "true");
    const bucket = $("#chart-bucket").value;
    try {
      // The counts and the chart load side by side; one failing leaves the other shown.
      const [stats, perChannel] = await Promise.allSettled([
        api("/api/v1/stats"),
        api("/api/v1/analytics/events-per-channel?bucket=" + encodeURIComponent(bucket)),
      ]);
      if (seq !== routeSeq) return;
      if (stats.status === "fulfilled") renderStats(view, stats.value);
      if (perChannel.status === "fulfilled") drawChart(perChannel.value.series || [], bucket);
      const failed = [stats, perChannel].find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
    } finally {
      view.removeAttribute("aria-busy");
    }
  }

  function renderStats(view, stats) {
    for (const key of ["events", "profiles", "identities", "channels"]) {
      const cell = $('[data-stat="' + key + '"]', view);
      cell.dataset.value = String(stats[key]);
      cell.textContent = formatNumber(stats[key]);
    }
    $("#overview-range").textContent = stats.first_event_at
      ? "Events from " + formatTime(stats.first_event_at) + " to " +
        formatTime(stats.last_event_at)
      : "";
  }

  function orderChannels(channels) {
    const known = CHANNEL_ORDER.filter((c) => channels.has(c));
    const extra = Array.from(channels).filter((c) => !CHANNEL_LABELS[c]).sort();
    return known.concat(extra);
  }

  const DAY_BUCKET = /^\d{4}-\d{2}-\d{2}$/;
  const HOUR_BUCKET = /^\d{4}-\d{2}-\d{2} \d{2}:00:00$/;

  /** Every day (or hour) from the first bucket to the last, so quiet periods show as
   *  gaps. Buckets are UTC, as the API groups them. */
  function fillBuckets(buckets, bucket) {
    const pattern = bucket === "day" ? DAY_BUCKET : HOUR_BUCKET;
    if (buckets.length < 2 || !buckets.every((b) => pattern.test(b))) return buckets;
    const step = bucket === "day" ? 86400000 : 3600000;
    const parse = (b) => Date.parse(bucket === "day" ? b + "T00:00:00Z" : b.replace(" ", "T") + "Z");
    const format = (ms) => {
      const iso = new Date(ms).toISOString();
      return bucket === "day" ? iso.slice(0, 10) : iso.slice(0, 19).replace("T", " ");
    };
    const start = parse(buckets[0]);
    const count = Math.round((parse(buckets[buckets.length - 1]) - start) / step);
    if (!(count >= 0) || count > 2000) return buckets;
    const out = [];
    for (let i = 0; i <= count; i++) out.push(format(start + i * step));
    return out;
  }

  function bucketLabel(bucket) {
    if (DAY_BUCKET.test(bucket)) {
      return new Date(bucket + "T00:00:00Z").toLocaleDateString(undefined, {
        month: "short",
        day: "numeric",
        timeZone: "UTC",
      });
    }
    const hour = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})/.exec(bucket);
    if (hour) {
      const at = new Date(hour[1] + "T" + hour[2] + ":" + hour[3] + ":00Z");
      return at.toLocaleString(undefined, {
        month: "short",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        timeZone: "UTC",
      });
    }
    return bucket;
  }

  function drawChart(series, bucket) {
    const container = $("#chart");
    const empty = series.length === 0;
    show($("#chart-empty"), empty);
    show(container, !empty);
    const channels = orderChannels(new Set(series.map((r) => r.channel)));
    let buckets = Array.from(new Set(series.map((r) => r.bucket))).sort();
    buckets = fillBuckets(buckets, bucket);
    const index = new Map(buckets.map((b, i) => [b, i]));
    const values = new Map(channels.map((c) => [c, new Array(buckets.length).fill(0)]));
    for (const row of series) {
      const at = index.get(row.bucket);
      if (at !== undefined) values.get(row.channel)[at] += Number(row.events) || 0;
    }
    renderChartTable(buckets, channels, values);
    const total = series.reduce((sum, r) => sum + (Number(r.events) || 0), 0);
    container.setAttribute(
      "aria-label",
      "Stacked bar chart of " + formatNumber(total) + " events per channel by " + bucket +
        ": " + channels.map((c) => channelLabel(c)).join(", ")
    );
    if (empty) {
      if (chart) chart.clear();
      return;
    }
    if (!window.echarts) {
      setAlert($("#view-overview .view-error"), "The chart library did not load.", "error");
      return;
    }
    if (!chart) {
      chart = window.echarts.init(container, null, { renderer: "canvas" });
      window.addEventListener("resize", () => chart && chart.resize());
    } else {
      chart.resize();
    }
    const styles = getComputedStyle(document.documentElement);
    const text = styles.getPropertyValue("--text-muted").trim() || "#475569";
    const grid = styles.getPropertyValue("--border").trim() || "#e2e8f0";
    chart.setOption(
      {
        animation: false,
        aria: { enabled: true },
        color: channels.map(channelColour),
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { type: "scroll", top: 0, textStyle: { color: text } },
        grid: { left: 24, right: 32, top: 40, bottom: 8, containLabel: true },
        xAxis: {
          type: "category",
          data: buckets,
          axisLabel: { color: text, formatter: bucketLabel, hideOverlap: true },
          axisLine: { lineStyle: { color: grid } },
        },
        yAxis: {
          type: "value",
          minInterval: 1,
          axisLabel: { color: text },
          splitLine: { lineStyle: { color: grid } },
        },
        series: channels.map((c) => ({
          id: c,
          name: channelLabel(c),
          type: "bar",
          stack: "events",
          barMaxWidth: 48,
          emphasis: { focus: "series" },
          data: values.get(c),
        })),
      },
      true
    );
  }

  function renderChartTable(buckets, channels, values) {
    const head = el("tr", null, el("th", { scope: "col" }, "Period"),
      channels.map((c) => el("th", { scope: "col", class: "num" }, channelLabel(c))),
      el("th", { scope: "col", class: "num" }, "Total"));
    const rows = [];
    buckets.forEach((b, i) => {
      const total = channels.reduce((sum, c) => sum + values.get(c)[i], 0);
      if (!total) return; // quiet periods are gaps in the chart, not rows of zeros
      rows.push(el("tr", null, el("th", { scope: "row" }, b),
        channels.map((c) => el("td", { class: "num" }, formatNumber(values.get(c)[i]))),
        el("td", { class: "num" }, formatNumber(total))));
    });
    $("#chart-table").replaceChildren(
      el("table", { class: "table" }, el("thead", null, head), el("tbody", null, rows))
    );
  }

  // ---- search --------------------------------------------------------------------------------

  function renderSearch(params) {
    showView("search", "Find a customer");
    const type = params && params.get("type");
    const value = params && params.get("value");
    if (type) setSearchType(type);
    if (value !== null && value !== undefined) $("#search-value").value = value;
    if (firstRoute || !$("#search-value").value) $("#search-value").focus();
  }

  function setSearchType(type) {
    const select = $("#search-type");
    const known = Array.from(select.options).some((o) => o.value === type);
    select.value = known ? type : "other";
    if (!known) $("#search-custom").value = type;
    show($("#search-custom-field"), select.value === "other");
  }

  async function onSearch(event) {
    event.preventDefault();
    const result = $("#search-result");
    const select = $("#search-type");
    const typeLabel = select.options[select.selectedIndex].text;
    let type = select.value;
    const value = $("#search-value").value;
    if (type === "other") {
      type = $("#search-custom").value.trim();
      if (!type) {
        setAlert(result, "Enter the identifier type, e.g. zendesk_id.", "error");
        $("#search-custom").focus();
        return;
      }
    }
    if (!value.trim()) {
      setAlert(result, "Enter a value to look up.", "error");
      $("#search-value").focus();
      return;
    }
    const described = (IDENTITY_LABELS[type] || type).toLowerCase();
    const button = $("#search-form button[type=submit]");
    button.disabled = true;
    setAlert(result, "Searching…", "info");
    const seq = routeSeq;
    try {
      const profile =
        type === "profile_id"
          ? await api("/api/v1/profiles/" + encodeURIComponent(value.trim()))
          : await api(
              "/api/v1/profiles/lookup?type=" + encodeURIComponent(type) +
                "&value=" + encodeURIComponent(value)
            );
      if (seq !== routeSeq) return;
      setAlert(result, "", "info");
      location.hash = "#/profiles/" + encodeURIComponent(profile.id);
    } catch (err) {
      if (err instanceof AuthError || seq !== routeSeq) return;
      if (err.status === 404) {
        setAlert(result, "No customer with " + described + " “" + value.trim() + "”.", "warning");
      } else {
        setAlert(result, (typeLabel ? typeLabel + ": " : "") + err.message, "error");
      }
    } finally {
      button.disabled = false;
    }
  }

  // ---- customer 360 ----------------------------------------------------------------------------

  let timelineCursor = null;

  async function renderProfile(seq, id) {
    const view = $("#view-profile");
    const body = $("#profile-body");
    showView("profile", "Customer " + id);
    setAlert($(".view-error", view), "", "error");
    body.replaceChildren(el("p", { class: "muted" }, "Loading customer…"));
    view.setAttribute("aria-busy", "true");
    try {
      let profile;
      let page;
      try {
        [profile, page] = await Promise.all([
          api("/api/v1/profiles/" + encodeURIComponent(id)),
          api(timelineUrl(id, null)),
        ]);
      } catch (err) {
        if (err.status === 404 && seq === routeSeq) {
          body.replaceChildren(
            el("h1", { id: "profile-name", tabindex: "-1" }, "Customer not found"),
            el("p", { class: "alert alert-warning", role: "alert" },
              "No customer with profile id “" + id + "” in this workspace.")
          );
          return;
        }
        throw err;
      }
      if (seq !== routeSeq) return;
      if (profile.id !== id && profile.merged) {
        history.replaceState(null, "", "#/profiles/" + encodeURIComponent(profile.id));
      }
      const name = displayName(profile);
      document.title = name + " · OmniCX";
      timelineCursor = page.next_cursor;
      body.replaceChildren(
        profileHeader(profile, name),
        el("div", { class: "grid-360" },
          el("div", { class: "col-side" },
            channelsCard(profile),
            identitiesCard(profile),
            traitsCard(profile)),
          timelineCard(profile, page))
      );
    } finally {
      view.removeAttribute("aria-busy");
    }
  }

  function timelineUrl(id, cursor) {
    return "/api/v1/profiles/" + encodeURIComponent(id) + "/timeline?limit=" + TIMELINE_PAGE +
      "&cursor=" + encodeURIComponent(cursor || "");
  }

  function traitText(traits, ...keys) {
    for (const key of keys) {
      const value = traits[key];
      if (typeof value === "string" && value.trim()) return value.trim();
      if (typeof value === "number") return String(value);
    }
    return "";
  }

  function firstIdentity(profile, type) {
    const found = (profile.identities || []).find((i) => i.type === type);
    return found ? found.value : "";
  }

  function displayName(profile) {
    const traits = profile.traits || {};
    const full = traitText(traits, "name", "full_name", "fullName");
    if (full) return full;
    const parts = [
      traitText(traits, "first_name", "firstName"),
      traitText(traits, "last_name", "lastName"),
    ].filter(Boolean);
    if (parts.length) return parts.join(" ");
    return traitText(traits, "email") || firstIdentity(profile, "email") ||
      "Customer " + profile.id;
  }

  /** The email identity (stored normalised) matching the email trait, else either. */
  function canonicalEmail(profile, trait) {
    const emails = (profile.identities || []).filter((i) => i.type === "email");
    const wanted = trait.trim().toLowerCase();
    const match = emails.find((i) => i.value === wanted);
    if (match) return match.value;
    return trait || (emails.length ? emails[0].value : "");
  }

  function initials(name) {
    const words = name.split(/\s+/).filter(Boolean);
    return words.slice(0, 2).map((w) => Array.from(w)[0]).join("").toUpperCase() || "?";
  }

  function profileHeader(profile, name) {
    const traits = profile.traits || {};
    const email = canonicalEmail(profile, traitText(traits, "email"));
    const phone = traitText(traits, "phone") || firstIdentity(profile, "phone");
    const contact = [];
    if (email && email !== name) contact.push(el("span", { dir: "auto", "data-field": "email" }, email));
    if (phone) contact.push(el("span", { dir: "auto", "data-field": "phone" }, phone));
    const counts = profile.counts || {};
    return el("header", { class: "card profile-head" },
      el("div", { class: "avatar", "aria-hidden": "true", dir: "auto" }, initials(name)),
      el("div", { class: "profile-title" },
        el("h1", { id: "profile-name", tabindex: "-1", dir: "auto" }, name),
        contact.length ? el("p", { class: "contact" }, contact) : null,
        el("p", { class: "muted" },
          "Profile ", el("code", { "data-field": "profile-id" }, profile.id),
          " · first seen ", timeEl(profile.first_seen),
          " · last seen ", timeEl(profile.last_seen)),
        profile.merged
          ? el("p", { class: "alert alert-info" },
              "Profile " + profile.requested_id + " was merged into this one.")
          : null),
      el("dl", { class: "mini-stats" },
        el("div", null, el("dt", null, "Events"), el("dd", null, formatNumber(counts.events))),
        el("div", null, el("dt", null, "Identities"),
          el("dd", null, formatNumber(counts.identities))),
        el("div", null, el("dt", null, "Channels"),
          el("dd", null, formatNumber(counts.channels))))
    );
  }

  function card(titleText, id, ...content) {
    return el("section", { class: "card", "aria-labelledby": id },
      el("h2", { id }, titleText), content);
  }

  function channelsCard(profile) {
    const counts = profile.channel_counts || {};
    const channels = profile.channels || [];
    return card("Channels used", "channels-title",
      channels.length
        ? el("ul", { class: "badge-list", "data-section": "channels" },
            channels.map((c) => el("li", null,
              channelBadge(c, formatNumber(counts[c] || 0)))))
        : el("p", { class: "muted" }, "No events yet."));
  }

  function identitiesCard(profile) {
    const identities = profile.identities || [];
    return card("Identities", "identities-title",
      el("div", { class: "table-scroll" },
        el("table", { class: "table", "data-section": "identities" },
          el("thead", null, el("tr", null,
            el("th", { scope: "col" }, "Type"),
            el("th", { scope: "col" }, "Value"))),
          el("tbody", null, identities.map((i) =>
            el("tr", { "data-identity-type": i.type },
              el("td", { class: "nowrap" }, IDENTITY_LABELS[i.type] || i.type),
              el("td", null,
                el("span", { dir: "auto", class: "value" }, i.value),
                seenRange(i.first_seen, i.last_seen))))))));
  }

  function traitsCard(profile) {
    const traits = profile.traits || {};
    const sources = profile.trait_sources || {};
    const keys = Object.keys(traits).sort();
    if (!keys.length) return card("Traits", "traits-title", el("p", { class: "muted" }, "No traits yet."));
    return card("Traits", "traits-title",
      el("div", { class: "table-scroll" },
        el("table", { class: "table", "data-section": "traits" },
          el("thead", null, el("tr", null,
            el("th", { scope: "col" }, "Trait"),
            el("th", { scope: "col" }, "Value"),
            el("th", { scope: "col" }, "From"))),
          el("tbody", null, keys.map((key) => {
            const source = sources[key] || {};
            return el("tr", { "data-trait": key },
              el("th", { scope: "row", dir: "auto" }, key),
              el("td", null,
                el("span", { dir: "auto", class: "value" }, displayValue(traits[key], 200))),
              el("td", { class: "source" },
                source.channel ? channelBadge(source.channel) : null,
                el("span", { class: "seen" }, timeEl(source.timestamp))));
          })))));
  }

  function timelineCard(profile, page) {
    const list = el("ol", { class: "timeline", "data-section": "timeline" });
    appendEvents(list, page.events || []);
    const more = el("button", { type: "button", class: "button button-secondary", id: "load-more" },
      "Load more");
    const status = el("p", { class: "muted", role: "status", "aria-live": "polite" });
    more.addEventListener("click", () => loadMore(profile.id, list, more, status));
    show(more, Boolean(timelineCursor));
    return el("section", { class: "card col-main", "aria-labelledby": "timeline-title" },
      el("div", { class: "card-head" },
        el("h2", { id: "timeline-title" }, "Timeline"),
        el("span", { class: "muted" }, "Newest first, every channel")),
      (page.events || []).length ? list : el("p", { class: "muted" }, "No events yet."),
      el("div", { class: "load-more" }, more, status));
  }

  async function loadMore(id, list, button, status) {
    if (!timelineCursor) return;
    const seq = routeSeq;
    button.disabled = true;
    status.textContent = "Loading…";
    try {
      const page = await api(timelineUrl(id, timelineCursor));
      if (seq !== routeSeq) return;
      appendEvents(list, page.events || []);
      timelineCursor = page.next_cursor;
      status.textContent = page.next_cursor
        ? "Loaded " + (page.events || []).length + " more events."
        : "That is the whole history.";
      show(button, Boolean(timelineCursor));
    } catch (err) {
      if (!(err instanceof AuthError)) status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  }

  function eventTitle(ev) {
    const props = ev.properties || {};
    switch (ev.type) {
      case "track":
        return ev.event || "Unnamed event";
      case "page":
        return ev.name || displayValue(props.title || props.path || "", 120) || "Page view";
      case "screen":
        return ev.name || "Screen view";
      case "identify":
        return "Identified";
      case "group":
        return "Joined a group";
      case "alias":
        return "Linked identities";
      default:
        return ev.event || ev.name || ev.type || "Event";
    }
  }

  function keyProperties(ev) {
    const source = ev.type === "identify" || ev.type === "group" ? ev.traits : ev.properties;
    const data = source && typeof source === "object" ? source : {};
    const keys = Object.keys(data).filter((k) => k !== "channel");
    const preferred = KEY_PROPERTIES.filter((k) => keys.includes(k));
    const rest = keys.filter((k) => !KEY_PROPERTIES.includes(k));
    const ordered = preferred.concat(rest);
    return { shown: ordered.slice(0, MAX_PROPERTIES), hidden: ordered.length - MAX_PROPERTIES, data };
  }

  function eventRow(ev) {
    const props = keyProperties(ev);
    const title = eventTitle(ev);
    return el("li", { class: "event", "data-channel": ev.channel, "data-type": ev.type,
        "data-message-id": ev.message_id },
      el("div", { class: "event-channel" }, channelBadge(ev.channel)),
      el("div", { class: "event-main" },
        el("p", { class: "event-title" },
          el("span", { dir: "auto", class: "event-name" }, title),
          el("span", { class: "type-pill" }, TYPE_LABELS[ev.type] || ev.type)),
        props.shown.length
          ? el("dl", { class: "props" }, props.shown.map((key) =>
              el("div", null,
                el("dt", { dir: "auto" }, key),
                el("dd", { dir: "auto" }, displayValue(props.data[key], 80)))),
              props.hidden > 0 ? el("div", { class: "muted" }, "+" + props.hidden + " more") : null)
          : null,
        el("details", { class: "raw" },
          el("summary", null, "All fields"),
          el("pre", { dir: "ltr" }, JSON.stringify(ev, null, 2)))),
      el("div", { class: "event-time" }, timeEl(ev.timestamp)));
  }

  function appendEvents(list, events) {
    list.append(...events.map(eventRow));
  }

  // ---- shared with the analytics pages (static/analytics.js, static/analytics/*.js) -------

  window.OmniCX = {
    api,
    el,
    show,
    setAlert,
    formatNumber,
    formatTime,
    channelColour,
    channelBadge,
    channelLabel,
    isCurrent: (seq) => seq === routeSeq,
  };

  // ---- start ---------------------------------------------------------------------------------

  /*
   * Plugin views (static/views/*.js) register themselves before start():
   *   window.OmniCXViews["surveys"] = {title: "Surveys", nav: "Surveys", order: 10,
   *     async render(container, {seq, path, params}) { ... }};
   * and are reached at #/surveys/<path...>. They use window.OmniCX helpers.
   */
  function addPluginNav() {
    const plugins = Object.entries(window.OmniCXViews || {})
      .filter(([, p]) => p.nav)
      .sort((a, b) => (a[1].order || 50) - (b[1].order || 50));
    const list = $(".topnav ul");
    const anchor = $('.topnav a[href="/snippet"]');
    for (const [name, plugin] of plugins) {
      const item = el("li", {}, el("a", { href: "#/" + name, "data-nav": "plugin:" + name }, plugin.nav));
      list.insertBefore(item, anchor ? anchor.closest("li") : null);
    }
  }

  function start() {
    addPluginNav();
    $("#login-form").addEventListener("submit", onLogin);
    $("#logout").addEventListener("click", onLogout);
    $("#search-form").addEventListener("submit", onSearch);
    $("#search-type").addEventListener("change", () => {
      show($("#search-custom-field"), $("#search-type").value === "other");
      setAlert($("#search-result"), "", "info");
    });
    $("#chart-bucket").addEventListener("change", () => {
      if (parseRoute().name === "overview") route();
    });
    window.addEventListener("hashchange", route);
    route();
  }

  // Deferred plugin scripts run after this one but before DOMContentLoaded: start then,
  // so their views and nav links are registered.
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
