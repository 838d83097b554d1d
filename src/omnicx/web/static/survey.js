/*
 * OmniCX hosted survey page (/s/<token>, /s/preview).
 *
 * Reads the survey (already in the respondent's language) from #survey-data, draws
 * its questions with textContent only, applies the skip logic (show_if), and posts
 * {invitation, answers} to /api/v1/responses. Answers given but not submitted are
 * saved as a partial response when the page is hidden (sendBeacon).
 */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("survey-data").textContent);
  const survey = data.survey || null;
  const strings = (survey && survey.strings) || data.strings || {};
  const form = document.getElementById("survey-form");
  const done = document.getElementById("survey-done");
  const banner = document.getElementById("survey-banner");
  let submitted = false;
  let lastPartial = "";

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = String(value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function finish(message) {
    form.hidden = true;
    done.textContent = message;
    done.hidden = false;
  }

  function legend(question) {
    return el(
      "legend",
      { id: "q-" + question.id + "-label", dir: "auto" },
      question.text,
      question.required ? null : el("span", { class: "optional" }, "(" + (strings.optional || "Optional") + ")")
    );
  }

  function scaleQuestion(question) {
    const points = question.max - question.min + 1;
    const scale = el("div", { class: "scale", role: "radiogroup", "aria-labelledby": "q-" + question.id + "-label" });
    scale.style.setProperty("--points", String(points));
    for (let value = question.min; value <= question.max; value++) {
      const id = "q-" + question.id + "-" + value;
      scale.append(
        el("input", { type: "radio", name: question.id, id, value: String(value), "data-score": String(value) }),
        el("label", { for: id, class: "score-button" }, String(value))
      );
    }
    const labels = el(
      "div",
      { class: "scale-labels", "aria-hidden": "true" },
      el("span", { dir: "auto" }, question.low_label || ""),
      el("span", { dir: "auto" }, question.high_label || "")
    );
    return [scale, question.low_label || question.high_label ? labels : null];
  }

  function choiceQuestion(question) {
    const multi = question.type === "multi";
    const box = el("div", { class: "choices" });
    if (multi) box.append(el("p", { class: "optional" }, strings.choose_many || ""));
    for (const option of question.options || []) {
      const id = "q-" + question.id + "-" + option.id;
      box.append(
        el("div", null,
          el("input", { type: multi ? "checkbox" : "radio", name: question.id, id, value: option.id }),
          el("label", { for: id, dir: "auto" }, option.text))
      );
    }
    return box;
  }

  function renderQuestion(question) {
    const field = el("fieldset", { class: "question", "data-question": question.id, "data-type": question.type });
    field.append(legend(question));
    if (question.type === "nps" || question.type === "rating") field.append(...scaleQuestion(question).filter(Boolean));
    else if (question.type === "single" || question.type === "multi") field.append(choiceQuestion(question));
    else field.append(el("textarea", { name: question.id, dir: "auto", maxlength: "5000", "aria-labelledby": "q-" + question.id + "-label" }));
    field.append(el("p", { class: "question-error", role: "alert", hidden: true }));
    return field;
  }

  function answerOf(question) {
    if (question.type === "text") {
      const value = form.elements[question.id].value.trim();
      return value || null;
    }
    const inputs = Array.from(form.querySelectorAll('input[name="' + question.id + '"]'));
    const checked = inputs.filter((i) => i.checked).map((i) => i.value);
    if (question.type === "multi") return checked.length ? checked : null;
    if (!checked.length) return null;
    return question.type === "single" ? checked[0] : Number(checked[0]);
  }

  function matches(rule, answer) {
    if (answer === null || answer === undefined) return false;
    const values = Array.isArray(answer) ? answer : [answer];
    if (rule.equals !== undefined && rule.equals !== null) return values.includes(rule.equals);
    if (rule.in) return values.some((v) => rule.in.includes(v));
    if (typeof answer === "number") {
      if (rule.at_most !== undefined && rule.at_most !== null) return answer <= rule.at_most;
      if (rule.at_least !== undefined && rule.at_least !== null) return answer >= rule.at_least;
    }
    return false;
  }

  /** The answers of the questions shown now; hides the others (skip logic). */
  function collect() {
    const answers = {};
    for (const question of survey.questions) {
      const field = form.querySelector('[data-question="' + question.id + '"]');
      const shown = !question.show_if || matches(question.show_if, answers[question.show_if.question]);
      field.hidden = !shown;
      if (!shown) continue;
      const value = answerOf(question);
      if (value !== null) answers[question.id] = value;
    }
    return answers;
  }

  function prefill(answers) {
    for (const [key, value] of Object.entries(answers || {})) {
      const values = Array.isArray(value) ? value.map(String) : [String(value)];
      for (const input of form.querySelectorAll('[name="' + key + '"]')) {
        if (input.tagName === "TEXTAREA") input.value = String(value);
        else input.checked = values.includes(input.value);
      }
    }
  }

  function showErrors(answers) {
    let first = null;
    for (const question of survey.questions) {
      const field = form.querySelector('[data-question="' + question.id + '"]');
      const box = field.querySelector(".question-error");
      const missing = !field.hidden && question.required && answers[question.id] === undefined;
      box.textContent = missing ? strings.required || "Required" : "";
      box.hidden = !missing;
      if (missing && !first) first = field;
    }
    if (first) {
      const input = first.querySelector("input, textarea");
      if (input) input.focus();
      first.scrollIntoView({ block: "center" });
    }
    return !first;
  }

  async function submit(event) {
    event.preventDefault();
    const answers = collect();
    if (!showErrors(answers)) return;
    const button = form.querySelector(".submit");
    const error = form.querySelector(".form-error");
    if (data.preview) {
      finish(strings.thanks);
      return;
    }
    button.disabled = true;
    error.hidden = true;
    try {
      const response = await fetch("/api/v1/responses", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ invitation: data.invitation, answers, language: survey.language }),
      });
      if (response.status === 201) {
        submitted = true;
        finish(strings.thanks);
        return;
      }
      if (response.status === 409) {
        submitted = true;
        finish(strings.already);
        return;
      }
      const body = await response.json().catch(() => null);
      error.textContent = (strings.error || "Error") + (body && body.error ? " (" + body.error + ")" : "");
      error.hidden = false;
    } catch (_err) {
      error.textContent = strings.error || "Error";
      error.hidden = false;
    } finally {
      button.disabled = false;
    }
  }

  /** Keep what was answered when the respondent leaves without submitting. */
  function savePartial() {
    if (submitted || data.preview || !data.invitation || !navigator.sendBeacon) return;
    const answers = collect();
    const text = JSON.stringify(answers);
    if (text === "{}" || text === lastPartial) return;
    lastPartial = text;
    const body = JSON.stringify({
      invitation: data.invitation, answers, partial: true, language: survey.language,
    });
    navigator.sendBeacon("/api/v1/responses", new Blob([body], { type: "text/plain" }));
  }

  function start() {
    if (data.state === "invalid" || !survey) {
      finish(data.message || strings.not_found || "");
      return;
    }
    if (data.state === "answered") {
      finish(strings.already);
      return;
    }
    if (data.preview) {
      banner.textContent = strings.preview || "Preview";
      banner.hidden = false;
    }
    form.append(...survey.questions.map(renderQuestion));
    form.append(
      el("p", { class: "form-error", role: "alert", hidden: true }),
      el("button", { type: "submit", class: "submit" }, strings.submit || "Submit")
    );
    prefill(data.answers);
    collect();
    form.addEventListener("change", () => collect());
    form.addEventListener("submit", submit);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") savePartial();
    });
    window.addEventListener("pagehide", savePartial);
    document.body.dataset.ready = "true";
  }

  start();
})();
