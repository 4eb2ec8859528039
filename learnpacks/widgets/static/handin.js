// learnpacks hand-in button (anywidget `_esm` of learnpacks.widgets.HandIn). No imports, no network.
// Nothing is written until the learner presses the button; then the notebook is saved and the
// kernel makes the zip beside it (through a silent execute request, so a restarted kernel works).

const MODULE = "__import__('learnpacks.widgets.handin', fromlist=['handin'])";

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null) continue;
    if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

const fill = (s, values) => s.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
const base64 = (text) => btoa(Array.from(new TextEncoder().encode(text), (b) => String.fromCharCode(b)).join(""));

function notebookContext(model) {
  try {
    const context = model.widget_manager && model.widget_manager.context;
    return context && typeof context.path === "string" && context.sessionContext ? context : null;
  } catch (e) { return null; }
}

function filesUrl(context, name) {
  let base = "/";
  try { base = JSON.parse(document.getElementById("jupyter-config-data").textContent).baseUrl || "/"; } catch (e) { /* default */ }
  const path = context.path.replace(/^[^/:]*:/, "");
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/") + 1) : "";
  // Jupyter Server serves /files/ to a page's GET only with its _xsrf (as JupyterLab's own downloads)
  const xsrf = document.cookie.match(/\b_xsrf=([^;]*)\b/);
  return `${base.replace(/\/?$/, "/")}files/${(folder + name).split("/").map(encodeURIComponent).join("/")}` +
    (xsrf ? `?_xsrf=${xsrf[1]}` : "");
}

async function viaKernel(context, request) {
  const session = context.sessionContext.session;
  const kernel = session && session.kernel;
  if (!kernel || ["dead", "restarting", "autorestarting", "terminating"].includes(kernel.status)) return null;
  try {
    const future = kernel.requestExecute({ code: "", silent: true, store_history: false, allow_stdin: false,
      user_expressions: { handin: `${MODULE}.hand_in_for_view('${base64(JSON.stringify(request))}')` } });
    const reply = await future.done;
    const found = reply.content.user_expressions.handin;
    return found && found.status === "ok" ? JSON.parse(found.data["text/plain"]) : null;
  } catch (e) { return null; }
}

function viaMessage(model, request) {
  return new Promise((resolve) => {
    const id = `${Date.now()}-${Math.random()}`;
    const done = (reply) => { model.off("msg:custom", on); clearTimeout(timer); resolve(reply); };
    const on = (msg) => { if (msg && msg.type === "handed-in" && msg.request === id) done(msg); };
    const timer = setTimeout(() => done(null), 10000);
    model.on("msg:custom", on);
    try { model.send({ type: "hand-in", request: id, learner: request.learner }); } catch (e) { done(null); }
  });
}

function render({ model, el }) {
  const strings = model.get("strings") || {};
  const t = (s) => strings[s] || s;
  const root = h("div", { class: "lp lp-handin", lang: model.get("lang") || "en", dir: model.get("dir") || "ltr" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const id = `lp-handin-${Math.random().toString(36).slice(2)}`;
  const input = h("input", { type: "text", id, autocomplete: "off", spellcheck: "false", dir: "ltr" });
  const button = h("button", { type: "button", class: "lp-check" }, t("Make my hand-in file"));
  const status = h("div", { class: "lp-feedback", role: "status", "aria-live": "polite" });
  root.append(h("div", {}, h("label", { for: id, class: "lp-prompt", text: t("Your name or learner id, in Latin letters") }),
    h("div", { class: "lp-row" }, input)), h("div", { class: "lp-actions" }, button), status);
  root.addEventListener("keydown", (e) => {
    if (e.key !== "Tab" && e.key !== "Escape") e.stopPropagation();
    if (e.key === "Enter" && e.target === input && !e.isComposing) { e.preventDefault(); button.click(); }
  });
  el.replaceChildren(root);
  const say = (text, ...more) => status.replaceChildren(h("p", { text }, ...more));
  button.addEventListener("click", async () => {
    const learner = input.value.trim();
    if (!learner) return say(t("Write your name or learner id first."));
    button.disabled = true;
    say(t("Saving your notebook and making your hand-in file…"));
    const context = notebookContext(model);
    const request = { learner, assignment: model.get("assignment"), notebooks: model.get("notebooks") };
    let reply = null;
    if (context) {
      try { await context.save(); } catch (e) { /* the file on disk is handed in as it is */ }
      reply = await viaKernel(context, request);
    } else reply = await viaMessage(model, request);
    button.disabled = false;
    if (!reply) return say(t("No file made: the notebook's kernel is not running. Restart it (Kernel menu), then press the button again."));
    if (reply.error === "name") return say(t("Write your name or learner id with Latin letters, digits or dashes."));
    if (reply.error) return say(fill(t("No file made: {detail}"), { detail: reply.detail || "" }));
    const link = h("a", { download: reply.name, href: context ? filesUrl(context, reply.name) : reply.name,
      text: fill(t("Download {name}"), { name: reply.name }) });
    say("", link, ` (${Math.floor(reply.size / 1024) + 1} KiB). ${t("Hand this file in to your facilitator.")}`);
  });
}

export default { render };
