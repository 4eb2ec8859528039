// learnpacks exercise widgets: one ES module for every kind (anywidget `_esm`).
// No imports, no network: it must run the same in JupyterLab and in the static book.
// The `checkers` below mirror learnpacks/widgets/checkers.py; change both together.

const WS = "[ \\t\\n\\r\\f\\v\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]+";
const WS_RUN = new RegExp(WS, "g");
const NUMBER = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const DIGITS = { "\u066b": ".", "\u066c": "" };
for (let i = 0; i < 10; i++) {
  DIGITS[String.fromCharCode(0x660 + i)] = String(i);
  DIGITS[String.fromCharCode(0x6f0 + i)] = String(i);
}

export function normalizeText(text, caseSensitive = false, whitespace = "collapse") {
  text = text.normalize("NFC");
  if (whitespace === "collapse") text = text.replace(WS_RUN, " ").replace(/^ +| +$/g, "");
  else if (whitespace === "ignore") text = text.replace(WS_RUN, "");
  return caseSensitive ? text : text.toLowerCase();
}

export function parseNumber(text) {
  text = Array.from(text, (c) => (c in DIGITS ? DIGITS[c] : c)).join("").replace(WS_RUN, "");
  if (text.includes(",") && !text.includes(".") && text.split(",").length === 2) {
    text = text.replace(",", ".");
  }
  if (!NUMBER.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

const list = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);
const result = (correct, feedback = [], wrong = []) => ({ correct, feedback, wrong });

function checkText(answer, key) {
  if (typeof answer !== "string") return result(false);
  const cs = !!key.case_sensitive, ws = key.whitespace || "collapse";
  const typed = normalizeText(answer, cs, ws);
  const number = parseNumber(answer);
  for (const item of list(key.accepted)) {
    if (typeof item === "number") {
      if (number !== null && Math.abs(number - item) <= (key.tolerance || 0) + 1e-12) return result(true);
    } else if (typeof item === "string" && typed === normalizeText(item, cs, ws)) return result(true);
  }
  for (const pattern of list(key.regex)) {
    try {
      if (new RegExp(`^(?:${pattern})$`, cs ? "u" : "iu").test(typed)) return result(true);
    } catch (e) { /* a pattern JS cannot read matches nothing, as in Python */ }
  }
  // a number is the same answer whichever digits or decimal mark it is typed with ("٢", "2,0")
  const known = (wrong) => {
    if (typed === normalizeText(wrong, cs, ws)) return true;
    const wrongNumber = parseNumber(wrong);
    return number !== null && wrongNumber !== null && number === wrongNumber;
  };
  const notes = Object.entries(key.feedback || {}).filter(([wrong]) => known(wrong)).map(([, m]) => m);
  return result(false, notes);
}

function checkChoice(answer, key) {
  const chosen = list(answer);
  if (!chosen.every((v) => typeof v === "string") || new Set(chosen).size !== chosen.length) return result(false);
  const fb = key.feedback || {};
  const notes = chosen.filter((v) => fb[v]).map((v) => fb[v]);
  const correct = new Set(list(key.correct));
  const ok = chosen.length > 0 && chosen.length === correct.size && chosen.every((v) => correct.has(v));
  const wrong = chosen.filter((v) => !correct.has(v)).sort();
  return result(ok, notes, ok ? [] : wrong);
}

function checkOrder(answer, key) {
  const order = list(key.order);
  const all = order.map((_, i) => i);
  if (!Array.isArray(answer) || JSON.stringify(answer.map(String).sort()) !== JSON.stringify([...order].sort())) {
    return result(false, [], all);
  }
  const wrong = all.filter((i) => answer[i] !== order[i]);
  return result(wrong.length === 0, [], wrong);
}

function checkPairs(answer, key) {
  const pairs = key.pairs || {};
  const lefts = Object.keys(pairs).sort();
  if (!answer || typeof answer !== "object" || Array.isArray(answer)) return result(false, [], lefts);
  const wrong = lefts.filter((k) => answer[k] !== pairs[k]);
  const fb = key.feedback || {};
  return result(wrong.length === 0, wrong.filter((k) => fb[k]).map((k) => fb[k]), wrong);
}

function checkBlanks(answer, key) {
  const blanks = list(key.blanks);
  if (!Array.isArray(answer) || answer.length !== blanks.length) return result(false, [], blanks.map((_, i) => i));
  const wrong = blanks.map((_, i) => i).filter((i) => !checkText(answer[i], {
    accepted: blanks[i], case_sensitive: key.case_sensitive, whitespace: key.whitespace,
  }).correct);
  return result(wrong.length === 0, [], wrong);
}

export const checkers = {
  "multiple-choice": checkChoice,
  "short-answer": checkText,
  "ordering": checkOrder,
  "matching": checkPairs,
  "fill-in-the-blanks": checkBlanks,
  "reflection": (a) => result(typeof a === "string" && a.trim() !== ""),
};

export function check(kind, answer, key) {
  return checkers[kind](answer, key);
}

// ---------------------------------------------------------------------------------------------
// Small DOM helpers. Author and translator text only ever goes through textContent.

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === "text") {
      node.textContent = v;
      if (!("dir" in attrs)) node.dir = "auto"; // an English prompt in an Arabic page, and back
    }
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c != null) node.append(c);
  return node;
}

// The lines of a wrong answer's feedback. Authors' feedback often opens with the verdict itself
// ("Not quite. Commons accepts ..."): then it is said once, not "Not quite. Try again." and again.
export function wrongLines(t, messages = []) {
  const verdict = t("Not quite.");
  const lead = normalizeText(verdict).replace(/[\s\p{P}]+$/u, "");
  const [first, ...rest] = messages;
  if (first && lead && normalizeText(first).startsWith(lead)) return [`✗ ${first}`, ...rest];
  return [`✗ ${messages.length ? verdict : t("Not quite. Try again.")}`, ...messages];
}

let counter = 0;
const uid = (base) => `lp-${base}-${++counter}`;
const fill = (s, values) => s.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
const LIVE = new WeakMap(); // model -> true once a kernel answered our hello
const storeKey = (id) => `learnpacks:${location.pathname}:${id}`;

// ---------------------------------------------------------------------------------------------
// The answers file. In Jupyter (JupyterLab, Notebook 7: the widget manager knows the notebook's
// document and its kernel) the file `.learnpacks-answers.json` beside the notebook is the one
// source of truth. The widget's kernel object writes it when it answers; when it does not (the
// kernel was restarted and the notebook not run again, or it is busy) the view asks the kernel
// itself, by a silent execute request, to write the same entry, and reads the file the same way.
// localStorage is used only where there is no Jupyter (the static book).

const KERNEL_WAIT_MS = 2000;
const ANSWERS_MODULE = "__import__('learnpacks.widgets.answers', fromlist=['answers'])";
// one state for every widget of the page, whichever copy of this module renders it
const SHARED = (globalThis.__learnpacksAnswers = globalThis.__learnpacksAnswers || { files: {}, queue: Promise.resolve() });

export function jupyterServer(model) {
  let context = null;
  try { context = model.widget_manager && model.widget_manager.context; } catch (e) { context = null; }
  if (!context || typeof context.path !== "string" || !context.path || !context.sessionContext) return null;
  const path = context.path.replace(/^[^/:]*:/, ""); // "RTC:dir/nb.ipynb" -> "dir/nb.ipynb"
  const kernel = () => {
    try {
      const session = context.sessionContext.session;
      return (session && session.kernel) || null;
    } catch (e) { return null; }
  };
  const kernelStatus = () => (kernel() ? kernel().status : "dead");
  // Run `code` silently in the notebook's kernel; the reply's content, or null (no kernel, error).
  const execute = async (code, expressions = {}) => {
    const k = kernel();
    if (!k || ["dead", "restarting", "autorestarting", "terminating"].includes(k.status)) return null;
    try {
      const future = k.requestExecute({ code, silent: true, store_history: false, user_expressions: expressions, allow_stdin: false, stop_on_error: false });
      const reply = await future.done;
      return reply && reply.content && reply.content.status === "ok" ? reply.content : null;
    } catch (e) { return null; }
  };
  return { notebook: path.slice(path.lastIndexOf("/") + 1), file: path, kernelStatus, execute };
}

const pyString = (text) => JSON.stringify(text).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
const base64 = (text) => btoa(Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join(""));

// This notebook's entries in the answers file, {exercise id: entry}; null if they cannot be read.
export function readAnswers(server, fresh = false) {
  const cached = SHARED.files[server.file];
  if (!fresh && cached && Date.now() - cached.at < 1500) return cached.promise;
  const promise = server.execute("", { answers: `${ANSWERS_MODULE}.answers_for_view(${pyString(server.notebook)})` })
    .then((reply) => {
      const found = reply && reply.user_expressions && reply.user_expressions.answers;
      if (!found || found.status !== "ok") return null;
      return JSON.parse(found.data["text/plain"]);
    })
    .catch(() => null);
  SHARED.files[server.file] = { at: Date.now(), promise };
  return promise;
}

// Ask the kernel to write one exercise's entry; true once it is in the file.
function writeAnswer(server, id, entry) {
  const payload = base64(JSON.stringify({ notebook: server.notebook, id, entry }));
  const job = SHARED.queue.then(() => server.execute(`assert ${ANSWERS_MODULE}.record_from_view('${payload}')`));
  SHARED.queue = job.catch(() => {});
  return job.then((reply) => {
    delete SHARED.files[server.file];
    return reply !== null;
  });
}

// A request to the kernel answered by {type: "saved", request, saved}; false if it is not.
const ACKS = new Map();
let requests = 0;
function askKernel(model, message) {
  const request = `${Date.now()}-${++requests}`;
  return new Promise((resolve) => {
    const timer = setTimeout(() => { ACKS.delete(request); resolve(false); }, KERNEL_WAIT_MS);
    ACKS.set(request, (saved) => { clearTimeout(timer); ACKS.delete(request); resolve(!!saved); });
    try { model.send({ ...message, request }); } catch (e) { ACKS.get(request)(false); }
  });
}

// On the static site, the site's lp-progress.js keeps answers per pack, shared by every language
// edition of an exercise, in the answers file's format; without it, per page.
const siteStore = () => globalThis.__learnpacksStore || null;

function remember(id, entry) {
  try {
    if (siteStore()) siteStore().put(id, entry);
    else localStorage.setItem(storeKey(id), JSON.stringify(entry));
  } catch (e) { /* storage may be disabled: progress is then per page view */ }
  window.dispatchEvent(new CustomEvent("learnpacks:progress"));
}

function recalled(id) {
  if (siteStore()) return siteStore().get(id);
  try {
    return JSON.parse(localStorage.getItem(storeKey(id)) || "null");
  } catch (e) {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Exercise views. Each builder returns {body, read, show(answer), mark(wrong)}.

function choiceView(model, t, name) {
  const c = model.get("content");
  const type = c.multiple ? "checkbox" : "radio";
  const inputs = [];
  const rows = c.options.map((o) => {
    const input = h("input", { type, name, value: o.value });
    inputs.push(input);
    return h("li", {}, h("label", {}, input, " ", h("span", { text: o.text })));
  });
  return {
    hint: t(c.multiple ? "Choose all answers that apply." : "Choose one answer."),
    group: true,
    body: h("ul", { class: "lp-options" }, rows),
    read: () => inputs.filter((i) => i.checked).map((i) => i.value),
    show: (a) => inputs.forEach((i) => (i.checked = list(a).includes(i.value))),
  };
}

function shortView(model, t) {
  const c = model.get("content");
  const id = uid("answer");
  const input = h("input", { type: "text", id, autocomplete: "off", spellcheck: "false", placeholder: c.placeholder || null });
  return {
    labelFor: id,
    body: h("div", { class: "lp-row" }, input),
    read: () => input.value,
    show: (a) => (input.value = typeof a === "string" ? a : ""),
    mark: (wrong, ok) => (ok == null ? input.removeAttribute("aria-invalid") : input.setAttribute("aria-invalid", ok ? "false" : "true")),
    input,
  };
}

function blanksView(model, t) {
  const c = model.get("content");
  const inputs = [];
  const marks = [];
  const para = h("p", { class: "lp-blanks" }, c.segments.map((s) => {
    if (s.text != null) return s.text;
    const input = h("input", { type: "text", size: 12, autocomplete: "off", "aria-label": fill(t("Blank {n}"), { n: s.blank + 1 }) });
    const mark = h("span", { class: "lp-mark" });
    inputs.push(input);
    marks.push(mark);
    return h("span", { class: "lp-blank" }, input, mark);
  }));
  return {
    body: para,
    read: () => inputs.map((i) => i.value),
    show: (a) => inputs.forEach((i, n) => (i.value = list(a)[n] || "")),
    mark: (wrong, ok) => inputs.forEach((input, n) => {
      const bad = wrong.includes(n);
      input.setAttribute("aria-invalid", bad ? "true" : "false");
      marks[n].textContent = ok == null ? "" : bad ? ` ✗ ${t("Wrong")}` : ` ✓ ${t("Right")}`;
    }),
  };
}

function orderView(model, t, name, announce) {
  const items = model.get("content").items.slice();
  const ol = h("ol", { class: "lp-order" });
  const draw = (focus) => {
    ol.replaceChildren(...items.map((item, i) => {
      const move = (d, label) => h("button", {
        type: "button", class: "lp-move", "data-dir": d, disabled: i + d < 0 || i + d >= items.length,
        "aria-label": `${t(label)}: ${item.text}`,
        onclick: () => {
          items.splice(i + d, 0, items.splice(i, 1)[0]);
          draw({ value: item.value, dir: d });
          announce(fill(t("Moved {item} to position {n}."), { item: item.text, n: i + d + 1 }));
        },
      }, d < 0 ? "↑" : "↓");
      return h("li", { "data-value": item.value }, h("span", { class: "lp-item", text: item.text }),
        h("span", { class: "lp-mark" }), move(-1, "Move up"), move(1, "Move down"));
    }));
    if (focus) {
      const li = ol.querySelector(`li[data-value="${CSS.escape(focus.value)}"]`);
      const btn = li && (li.querySelector(`button[data-dir="${focus.dir}"]:not([disabled])`) || li.querySelector("button:not([disabled])"));
      if (btn) btn.focus();
    }
  };
  draw();
  return {
    group: true,
    body: ol,
    read: () => items.map((i) => i.value),
    show: (a) => {
      if (!Array.isArray(a) || a.length !== items.length) return;
      const byValue = Object.fromEntries(items.map((i) => [i.value, i]));
      if (a.every((v) => byValue[v])) { items.splice(0, items.length, ...a.map((v) => byValue[v])); draw(); }
    },
    mark: (wrong, ok) => ol.querySelectorAll(".lp-mark").forEach((m, n) => {
      m.textContent = ok == null ? "" : wrong.includes(n) ? ` ✗ ${t("Wrong")}` : ` ✓ ${t("Right")}`;
    }),
  };
}

function matchView(model, t) {
  const c = model.get("content");
  const selects = {};
  const marks = {};
  const rows = c.left.map((l) => {
    const id = uid("match");
    const select = h("select", { id }, h("option", { value: "", text: t("Choose a match") }),
      c.right.map((r) => h("option", { value: r.value, text: r.text })));
    selects[l.value] = select;
    marks[l.value] = h("span", { class: "lp-mark" });
    return h("li", {}, h("label", { for: id, text: l.text }), " ", select, marks[l.value]);
  });
  return {
    group: true,
    body: h("ul", { class: "lp-match" }, rows),
    read: () => Object.fromEntries(Object.entries(selects).filter(([, s]) => s.value).map(([k, s]) => [k, s.value])),
    show: (a) => Object.entries(selects).forEach(([k, s]) => (s.value = (a && a[k]) || "")),
    mark: (wrong, ok) => Object.entries(marks).forEach(([k, m]) => {
      selects[k].setAttribute("aria-invalid", wrong.includes(k) ? "true" : "false");
      m.textContent = ok == null ? "" : wrong.includes(k) ? ` ✗ ${t("Wrong")}` : ` ✓ ${t("Right")}`;
    }),
  };
}

function reflectionView(model, t) {
  const id = uid("reflection");
  const area = h("textarea", { id, rows: model.get("content").rows || 5 });
  return {
    labelFor: id,
    body: area,
    read: () => area.value,
    show: (a) => (area.value = typeof a === "string" ? a : ""),
    input: area,
  };
}

const VIEWS = {
  "multiple-choice": choiceView,
  "short-answer": shortView,
  "fill-in-the-blanks": blanksView,
  "ordering": orderView,
  "matching": matchView,
  "reflection": reflectionView,
};

function frame(model, el) {
  const lang = model.get("lang") || "en";
  const strings = model.get("strings") || {};
  const t = (s) => strings[s] || s;
  const root = h("div", { class: `lp lp-${model.get("kind")}`, lang, dir: model.get("dir") || "ltr" });
  // Keys pressed inside the widget are the widget's: JupyterLab and Notebook 7 must not read
  // arrows, Space or Enter as "move to another cell" (Lumino skips shortcuts under this attribute),
  // nor any handler of the page around it. Tab and Escape still leave the widget.
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" && e.key !== "Escape") e.stopPropagation();
  });
  el.replaceChildren(root);
  return { root, t };
}

function renderExercise(model, el) {
  const { root, t } = frame(model, el);
  const kind = model.get("kind");
  const id = model.get("exercise_id");
  const graded = model.get("mode") === "graded";
  const status = h("div", { class: "lp-feedback", role: "status", "aria-live": "polite" });
  const moved = h("div", { class: "lp-sr-only", "aria-live": "polite" });
  const view = VIEWS[kind](model, t, uid(id), (msg) => (moved.textContent = msg));
  const prompt = model.get("prompt");
  const promptId = uid("prompt");
  let container;
  if (view.group) {
    container = h("fieldset", {}, h("legend", {}, h("span", { class: "lp-prompt", text: prompt })),
      view.hint ? h("p", { class: "lp-help", text: view.hint }) : null, view.body);
  } else if (view.labelFor) {
    container = h("div", {}, h("label", { for: view.labelFor, class: "lp-prompt", text: prompt || t("Your answer") }), view.body);
  } else {
    container = h("div", { role: "group", "aria-labelledby": prompt ? promptId : null },
      prompt ? h("p", { id: promptId, class: "lp-prompt", text: prompt }) : null, view.body);
  }
  const button = h("button", { type: "button", class: "lp-check" }, t(kind === "reflection" ? "Save" : "Check"));
  const notice = graded && h("p", { class: "lp-notice", hidden: true, text: t(
    "This is a graded exercise. To take part, open this notebook in Jupyter (Binder or your course hub) and answer there.") });
  root.append(container, h("div", { class: "lp-actions" }, button), notice || "", status, moved);

  const say = (state, messages = []) => {
    const lines = (state === "incorrect" ? wrongLines(t, messages) :
      [state === "correct" ? `✓ ${t("Correct!")}` : "", ...messages]).filter(Boolean);
    // The kernel confirms what the browser already said: do not make screen readers repeat it.
    if (status.dataset.said === JSON.stringify(lines)) return;
    status.dataset.said = JSON.stringify(lines);
    status.className = `lp-feedback lp-${state || "none"}`;
    status.replaceChildren(...lines.map((m) => h("p", { text: m })));
  };
  const showResult = (r) => {
    if (!r || !r.status) return;
    if (r.status === "recorded") {
      const message = kind !== "reflection" ? "Your answer is recorded. It will be graded later." :
        graded ? "Saved. A facilitator will read your reflection." :
        "Saved. This reflection is for you: nobody grades it.";
      say("recorded", [t(message)]);
      return;
    }
    say(r.status, r.feedback || []);
    if (view.mark) view.mark((r.wrong || []), r.status === "correct");
    if (r.status === "incorrect") button.textContent = t("Try again");
  };

  const local = (answer) => {
    const key = model.get("key") || {};
    if (graded || kind === "reflection" || !Object.keys(key).length) return null;
    return check(kind, answer, { ...(model.get("content").rules || {}), ...key });
  };
  const server = jupyterServer(model);
  const saveNote = h("p", { class: "lp-save", role: "status", "aria-live": "polite" });
  status.after(saveNote);
  let attempts = Number((model.get("result") || {}).attempts) || 0;
  let touched = false;
  let waiting = null;
  const saved = () => {
    if (server) delete SHARED.files[server.file];
    window.dispatchEvent(new CustomEvent("learnpacks:progress"));
  };
  // Save through the kernel; if it does not answer, into the file through Jupyter Server.
  const save = async (answer, verdict) => {
    const status = verdict ? (verdict.correct ? "correct" : "incorrect") : "recorded";
    const entry = { kind, mode: model.get("mode"), answer, status, attempts, rules: (model.get("content").rules || {}) };
    saveNote.textContent = "";
    saveNote.className = "lp-save";
    const kernelDown = () => ["dead", "restarting", "autorestarting", "terminating"].includes(server.kernelStatus());
    const tryKernel = server ? !kernelDown() : LIVE.get(model);
    if (tryKernel && await askKernel(model, { type: "answer", answer })) {
      saved();
      return;
    }
    if (!server) {
      if (LIVE.get(model)) return; // a kernel is listening (busy): it saves the answer when it can
      if (kind === "reflection" && !graded) {
        remember(id, { ...entry, status: "recorded" });
        say("recorded", [t("Saved in this browser only.")]);
      } else if (verdict) remember(id, entry);
      else say("none", [t("Your answer could not be saved: run this notebook in Jupyter to take part.")]);
      return;
    }
    let wasBusy = false;
    const busy = setTimeout(() => {
      wasBusy = true;
      saveNote.textContent = t("The kernel is busy: your answer is saved as soon as the running cell finishes.");
    }, KERNEL_WAIT_MS);
    const ok = await writeAnswer(server, id, entry);
    clearTimeout(busy);
    if (!ok) {
      saveNote.className = "lp-save lp-not-saved";
      saveNote.textContent = t("Not saved: the notebook's kernel is not running. Restart it (Kernel menu), then press the button again.");
      return;
    }
    saved();
    if (!verdict) showResult({ status: "recorded" });
    saveNote.textContent = wasBusy ? t("Saved in the answers file.") :
      t("Saved in the answers file. The kernel was restarted: run the notebook again before you run code.");
  };
  button.addEventListener("click", () => {
    const answer = view.read();
    const empty = Array.isArray(answer) ? answer.every((a) => a === "") || !answer.length :
      typeof answer === "string" ? !answer.trim() : !Object.keys(answer).length;
    if (empty && kind !== "ordering") {
      say("none", [t("Please answer first.")]);
      return;
    }
    touched = true;
    attempts += 1;
    const verdict = local(answer);
    if (verdict) showResult({ status: verdict.correct ? "correct" : "incorrect", ...verdict });
    clearTimeout(waiting);
    save(answer, verdict);
  });
  const reset = () => {
    button.textContent = t(kind === "reflection" ? "Save" : "Check");
    status.dataset.said = "";
    // a changed answer has no verdict yet: the old one must not stay on screen
    status.replaceChildren();
    status.className = "lp-feedback lp-none";
    saveNote.textContent = "";
    if (view.mark) view.mark([], null);
    touched = true;
  };
  // Enter in a one-line text answer checks it, as in a form; a reflection's Enter is a new line.
  container.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing && e.target.matches?.('input[type="text"]')) {
      e.preventDefault();
      button.click();
    }
  });
  container.addEventListener("input", reset);
  container.addEventListener("change", reset);
  container.addEventListener("click", (e) => e.target.closest?.(".lp-move") && reset());

  const onResult = () => {
    const r = model.get("result") || {};
    if (r.attempts) attempts = Math.max(attempts, Number(r.attempts) || 0);
    showResult(r);
  };
  model.on("change:result", onResult);
  const answer = model.get("answer");
  const showSaved = (entry) => {
    view.show(entry.answer);
    attempts = Math.max(attempts, Number(entry.attempts) || 0);
    const verdict = local(entry.answer);
    showResult(verdict ? { status: verdict.correct ? "correct" : "incorrect", ...verdict } : { status: entry.status });
  };
  if (answer != null && model.get("result").status) {
    view.show(answer);
    onResult();
  } else if (!server) {
    const stored = recalled(id);
    if (stored && stored.answer != null && !graded) {
      view.show(stored.answer);
      showResult({ status: stored.status, ...(local(stored.answer) || {}) });
    }
  }
  if (server) {
    // What the answers file holds is what is shown, whatever the notebook's saved widget state
    // or the kernel remember.
    readAnswers(server).then((mine) => {
      if (mine === null || touched) return;
      const entry = mine[id];
      if (entry && entry.kind === kind && entry.answer != null) {
        showSaved(entry);
      } else if (answer != null || status.textContent) {
        view.show(kind === "ordering" ? null : kind === "matching" ? {} : kind === "multiple-choice" ? [] : kind === "fill-in-the-blanks" ? [] : "");
        status.replaceChildren();
        status.dataset.said = "";
        status.className = "lp-feedback lp-none";
        if (view.mark) view.mark([], null);
        button.textContent = t(kind === "reflection" ? "Save" : "Check");
      }
    });
  }
  const staticNotice = setTimeout(() => {
    if (graded && !LIVE.get(model) && !server) {
      notice.hidden = false;
      button.disabled = true;
    }
  }, 1500);
  return () => {
    model.off("change:result", onResult);
    clearTimeout(staticNotice);
    clearTimeout(waiting);
  };
}

function renderCode(model, el) {
  const { root, t } = frame(model, el);
  const c = model.get("content");
  const status = h("div", { class: "lp-feedback", role: "status", "aria-live": "polite" });
  const hints = h("ul", { class: "lp-hints", "aria-live": "polite" });
  const sol = h("div", { class: "lp-solution", "aria-live": "polite" });
  let localHints = 0;
  const drawHints = () => {
    const n = Math.min(c.hints.length, Math.max(localHints, model.get("hints_shown") || 0));
    hints.replaceChildren(...c.hints.slice(0, n).map((text, i) =>
      h("li", {}, h("strong", { text: fill(t("Hint {n} of {total}"), { n: i + 1, total: c.hints.length }) + ": " }), text)));
    hintBtn.disabled = n >= c.hints.length;
    if (n >= c.hints.length && n > 0) hintBtn.textContent = t("No more hints.");
  };
  const hintBtn = h("button", { type: "button", class: "lp-hint", onclick: () => {
    localHints = Math.min(c.hints.length, Math.max(localHints, model.get("hints_shown") || 0) + 1);
    try { model.send({ type: "hint" }); } catch (e) { /* static page */ }
    drawHints();
  } }, t("Show a hint"));
  // With a kernel, the solution unlocks after `solution_after` checks (the kernel counts them).
  // On a static page no code runs, so nothing can be checked: the solution of a practice
  // exercise (in its content) opens once the reader has seen every hint.
  const staticPage = () => !LIVE.get(model);
  const allHintsSeen = () => Math.max(localHints, model.get("hints_shown") || 0) >= c.hints.length;
  const drawSolution = (asked) => {
    const code = model.get("revealed_solution") || (asked && staticPage() && allHintsSeen() && c.solution) || "";
    if (code) sol.replaceChildren(h("p", { class: "lp-prompt", text: t("Solution") }), h("pre", {}, h("code", { text: code })));
    else if (asked && staticPage()) sol.replaceChildren(h("p", { text: t("On this page, the solution opens after the last hint.") }));
    else if (asked) sol.replaceChildren(h("p", { text: fill(t("Attempts needed before the solution: {n}."), { n: c.solution_after }) }));
  };
  const solBtn = h("button", { type: "button", class: "lp-show-solution", onclick: () => {
    try { model.send({ type: "solution" }); } catch (e) { /* static page */ }
    drawSolution(true);
  } }, t("Show the solution"));
  const help = h("p", { class: "lp-help", text: t("Run the code cell with your function, then call check() in the next cell.") });
  const say = () => {
    const r = model.get("result") || {};
    const lines = r.status === "incorrect" ? wrongLines(t, r.feedback || []) :
      [r.status === "correct" ? `✓ ${t("Correct!")}` : null, ...(r.feedback || [])];
    status.className = `lp-feedback lp-${r.status || "none"}`;
    status.replaceChildren(...[...lines,
      r.attempts ? fill(t("Attempts: {n}"), { n: r.attempts }) : null].filter(Boolean).map((m) => h("p", { text: m })));
  };
  root.append(
    h("p", { class: "lp-prompt", text: model.get("prompt") }),
    help,
    status,
    c.hints.length ? h("div", { class: "lp-actions" }, hintBtn) : null, hints,
    c.has_solution ? h("div", { class: "lp-actions" }, solBtn) : null, sol,
  );
  drawHints();
  say();
  drawSolution(false);
  const staticHelp = setTimeout(() => {
    // a static page's editor (lp-python.js, when the page can run Python) says what to do itself
    if (staticPage() && !root.querySelector(".lp-python")) help.textContent = t("To check your code, open this notebook in Jupyter (Binder or your course hub).");
  }, 1500);
  const onHints = () => drawHints();
  const onResult = () => say();
  const onSol = () => drawSolution(false);
  model.on("change:hints_shown", onHints);
  model.on("change:result", onResult);
  model.on("change:revealed_solution", onSol);
  return () => {
    model.off("change:hints_shown", onHints);
    model.off("change:result", onResult);
    model.off("change:revealed_solution", onSol);
    clearTimeout(staticHelp);
  };
}

function renderProgress(model, el) {
  const { root, t } = frame(model, el);
  const count = h("p", { class: "lp-count", role: "status", "aria-live": "polite" });
  const ul = h("ul", { class: "lp-progress-list" });
  const { title, pack } = model.get("content");
  root.append(h("p", { class: "lp-prompt", text: title || t("Progress") }), count, ul);
  const server = jupyterServer(model);
  // Where this notebook stands in its pack: Jupyter only (the static book has its own navigation).
  const packNote = h("p", { class: "lp-count", role: "status", "aria-live": "polite" });
  const drawPack = (p) => packNote.textContent = fill(t("In this pack: {done} of {total} exercises done"), { done: p.done, total: p.exercises });
  if (pack && server) {
    const rm = model.widget_manager.rendermime;
    const folder = server.file.slice(0, server.file.lastIndexOf("/") + 1);
    const link = (to, label) => {
      if (!to) return null;
      const a = h("a", { href: to.href, text: fill(t(label), { title: to.title }) });
      try { rm.linkHandler.handleLink(a, folder + to.href, ""); } catch (e) { /* the plain link opens it */ }
      return h("li", {}, a);
    };
    drawPack(pack);
    root.prepend(h("nav", { class: "lp-pack", "aria-label": title || t("Progress") },
      h("p", { class: "lp-prompt", text: fill(t("Notebook {n} of {total}"), { n: pack.position, total: pack.total }) }),
      h("ul", {}, link(pack.previous, "Previous: {title}"), link(pack.next, "Next: {title}")), packNote));
  }
  let file = null; // in Jupyter: this notebook's entries in the answers file, once read
  const isDone = (s) => s === "correct" || s === "recorded";
  const draw = () => {
    const items = model.get("items") || [];
    const done = items.map((i) => {
      if (file) return !!file[i.id] && isDone(file[i.id].status);
      if (server) return i.done;
      const s = recalled(i.id);
      return i.done || (!!s && isDone(s.status));
    });
    count.textContent = fill(t("{done} of {total} done"), { done: done.filter(Boolean).length, total: items.length });
    ul.replaceChildren(...items.map((i, n) => h("li", { class: done[n] ? "lp-done" : "lp-todo" },
      h("span", { class: "lp-mark", text: done[n] ? `✓ ${t("Done")}: ` : `○ ${t("Not done yet")}: ` }),
      h("span", { text: i.label }))));  // dir="auto": an untranslated label in a right-to-left page
  };
  const reread = (fresh = true) => {
    if (!server) return draw();
    readAnswers(server, fresh === true).then((mine) => {
      if (mine !== null) file = mine;
      draw();
    });
    if (pack) server.execute("", { pack: `__import__('learnpacks.widgets.progress', fromlist=['p']).pack_for_view(${pyString(server.notebook)})` })
      .then((r) => { const p = r && r.user_expressions.pack; if (p && p.status === "ok") drawPack(JSON.parse(p.data["text/plain"]) || pack); });
  };
  draw();
  reread(false);
  const refresh = () => reread(true);
  model.on("change:items", refresh);
  window.addEventListener("learnpacks:progress", refresh);
  return () => {
    model.off("change:items", refresh);
    window.removeEventListener("learnpacks:progress", refresh);
  };
}

function renderMedia(model, el) {
  const { root, t } = frame(model, el);
  const c = model.get("content");
  if (model.get("kind") === "image") {
    root.append(h("figure", {}, h("img", { src: c.src, alt: c.alt, width: c.width }),
      c.caption ? h("figcaption", { text: c.caption }) : null));
    return;
  }
  const video = h("video", { controls: true, preload: "metadata", src: c.src, poster: c.poster || null, crossorigin: "anonymous", "aria-label": c.title },
    c.tracks.map((tr, i) => h("track", { kind: "captions", src: tr.src, srclang: tr.lang, label: tr.label, default: i === 0 })),
    t("Your browser cannot play this video."));
  root.append(h("figure", {}, video, h("figcaption", { text: c.title })),
    c.transcript ? h("details", {}, h("summary", { text: t("Transcript") }), h("div", { class: "lp-transcript" },
      c.transcript.split(/\n\s*\n/).map((p) => h("p", { text: p })))) : null);
}

function render({ model, el }) {
  const kind = model.get("kind");
  const onMsg = (msg) => {
    if (msg && msg.type === "live") LIVE.set(model, true);
    if (msg && msg.type === "saved" && ACKS.has(msg.request)) ACKS.get(msg.request)(msg.saved);
  };
  model.on("msg:custom", onMsg);
  try { model.send({ type: "hello" }); } catch (e) { /* static page: no kernel */ }
  let cleanup;
  if (kind === "code") cleanup = renderCode(model, el);
  else if (kind === "progress") cleanup = renderProgress(model, el);
  else if (kind === "image" || kind === "video") cleanup = renderMedia(model, el);
  else cleanup = renderExercise(model, el);
  return () => {
    model.off("msg:custom", onMsg);
    if (cleanup) cleanup();
  };
}

export default { render };
