/*
 * OmniCX survey widget: a floating "Feedback" button that opens a survey for the
 * visitor in an overlay. Add to any page:
 *
 *   <script src="https://cx.example.com/js/survey-widget.js" async
 *           data-write-key="wk_..." data-survey="sv_..."
 *           data-user-id="customer-42" data-language="he" data-label="Feedback"></script>
 *
 * Without data-user-id the visitor is identified by analytics.js's anonymousId (or a
 * random id kept in localStorage). window.OmniCXSurvey.open() opens it from your code.
 * Each open creates an invitation (POST /api/v1/widget/invitations with the write
 * key) and shows its hosted page /s/<token> in an iframe.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  const config = script.dataset;
  const KEY = "omnicx.surveyVisitor";

  function visitorId() {
    try {
      const analytics = window.analytics;
      if (analytics && typeof analytics.user === "function") {
        const id = analytics.user().anonymousId();
        if (id) return { anonymousId: id };
      }
    } catch (_err) {
      /* analytics.js not ready: fall through */
    }
    let id = null;
    try {
      id = localStorage.getItem(KEY);
      if (!id) {
        id = "w-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
        localStorage.setItem(KEY, id);
      }
    } catch (_err) {
      id = "w-" + Math.random().toString(36).slice(2);
    }
    return { anonymousId: id };
  }

  function close(overlay) {
    overlay.remove();
  }

  async function open(options) {
    const opts = options || {};
    const who = opts.userId || config.userId ? { userId: opts.userId || config.userId } : visitorId();
    const body = Object.assign(
      {
        writeKey: config.writeKey,
        survey: opts.survey || config.survey,
        language: opts.language || config.language || document.documentElement.lang || undefined,
        touchpoint: "web:" + location.pathname.slice(0, 200),
      },
      who
    );
    const response = await fetch(origin + "/api/v1/widget/invitations", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error("OmniCX survey widget: HTTP " + response.status);
    const invitation = await response.json();
    const overlay = document.createElement("div");
    overlay.setAttribute("data-omnicx-survey", "");
    overlay.style.cssText =
      "position:fixed;inset:0;z-index:2147483000;background:rgba(0,0,0,.45);" +
      "display:flex;align-items:flex-end;justify-content:center";
    const frame = document.createElement("iframe");
    frame.src = invitation.url + "?embed=1";
    frame.title = "Survey";
    frame.style.cssText =
      "border:0;background:#fff;width:100%;max-width:560px;height:min(640px,90vh);" +
      "border-radius:16px 16px 0 0";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "×";
    button.setAttribute("aria-label", "Close");
    button.style.cssText =
      "position:absolute;top:12px;inset-inline-end:12px;width:44px;height:44px;" +
      "border-radius:22px;border:0;font-size:24px;background:#fff;cursor:pointer";
    button.addEventListener("click", () => close(overlay));
    overlay.addEventListener("click", (event) => {
      if (event.target === overlay) close(overlay);
    });
    overlay.append(frame, button);
    document.body.append(overlay);
    return invitation;
  }

  function addButton() {
    if (config.button === "false") return;
    const rtl = getComputedStyle(document.documentElement).direction === "rtl";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = config.label || "Feedback";
    button.setAttribute("data-omnicx-survey-button", "");
    button.style.cssText =
      "position:fixed;bottom:20px;" + (rtl ? "left" : "right") + ":20px;z-index:2147482999;" +
      "padding:12px 18px;border:0;border-radius:24px;font:600 15px system-ui,sans-serif;" +
      "color:#fff;background:" + (config.color || "#2563eb") + ";cursor:pointer;" +
      "box-shadow:0 4px 14px rgba(0,0,0,.2)";
    button.addEventListener("click", () => {
      open().catch((err) => console.warn(err.message));
    });
    document.body.append(button);
  }

  window.OmniCXSurvey = { open };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", addButton);
  else addButton();
})();
