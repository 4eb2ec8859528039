/* learnpacks: Python in the page for a static site's code exercises.
 *
 * A classic script that lp-static-widgets.js loads (from the same _vendor/ folder) when a page
 * holds a practice code exercise; it defines window.__learnpacksPython.attach({model, el}), which
 * adds an editor with Run, Check and Stop under the exercise the widget's module drew.
 *
 * The code runs in Pyodide in a Web Worker (lp-python-worker.js), started when the learner first
 * presses Run or Check, never on page load: a page that is only read loads none of Pyodide's
 * megabytes. Stop terminates the worker (a loop that never ends stops with it) and the next run
 * starts a fresh one. The verdict comes from the exercise's own tests run by learnpacks' checker
 * (codecheck.py) inside Pyodide; it is set as the model's `result`, so the widget shows it as it
 * does in JupyterLab, and announced as a `learnpacks:answer` event (lp-progress.js keeps it).
 *
 * The editor is a plain <textarea>: left to right whatever the page's direction, Tab indents,
 * Shift+Tab removes an indent, Escape then Tab leaves it, Ctrl+Enter runs.
 */
(function () {
  "use strict";

  var me = document.currentScript && document.currentScript.src;
  var BASE = me ? me.slice(0, me.lastIndexOf("/") + 1) : "";
  var INDENT = "    ";
  var OUTPUT_LIMIT = 100000;
  var CSS = [
    ".lp .lp-python { margin-block: 0.5rem; }",
    ".lp .lp-python textarea.lp-editor { font-family: var(--pst-font-family-monospace, monospace);",
    "  font-size: 0.9em; line-height: 1.4; tab-size: 4; white-space: pre; overflow-x: auto;",
    "  text-align: left; direction: ltr; unicode-bidi: isolate; }",
    ".lp .lp-python .lp-output { white-space: pre-wrap; text-align: left; direction: ltr;",
    "  unicode-bidi: isolate; max-height: 20rem; overflow: auto; margin-block: 0.5rem; }",
    ".lp .lp-python .lp-output:empty { display: none; }",
    ".lp .lp-python .lp-error { color: var(--lp-bad-fg); }",
    ".lp .lp-python button.lp-stop { background: #7a1111; border-color: #7a1111; }",
    ".lp .lp-python .lp-run-status:empty { display: none; }",
  ].join("\n");

  var counter = 0;
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === false || value == null) return;
      if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child) node.append(child); });
    return node;
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, k) { return k in values ? String(values[k]) : m; });
  }

  var styled = false;
  function addCss() {
    if (styled) return;
    styled = true;
    var style = document.createElement("style");
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  // One worker for the page, shared by its exercises; a Stop ends it for all of them.
  var worker = null;
  var booted = false;
  var jobs = new Map();
  var jobCount = 0;

  function endAll(reason) {
    jobs.forEach(function (job) { job.end({ type: reason }); });
    jobs.clear();
  }

  function startWorker() {
    if (worker) return worker;
    worker = new Worker(BASE + "lp-python-worker.js", { type: "module" });
    booted = false;
    worker.onmessage = function (event) {
      var msg = event.data || {};
      var job = jobs.get(msg.id);
      if (msg.type === "ready") booted = true;
      if (msg.type === "failed") {
        stopWorker();
        endAll("failed");
        return;
      }
      if (!job) return;
      if (msg.type === "ready") job.ready();
      else if (msg.type === "output") job.output(msg.stream, msg.text);
      else if (msg.type === "done") {
        jobs.delete(msg.id);
        job.end(msg);
      }
    };
    worker.onerror = function (event) {
      event.preventDefault();
      stopWorker();
      endAll("failed");
    };
    return worker;
  }

  function stopWorker() {
    if (worker) worker.terminate();
    worker = null;
    booted = false;
  }

  function run(request, handlers) {
    var id = ++jobCount;
    jobs.set(id, handlers);
    try {
      startWorker().postMessage(Object.assign({ id: id }, request));
    } catch (error) {  // a page opened from file:// may not start a worker
      jobs.delete(id);
      stopWorker();
      handlers.end({ type: "failed" });
    }
  }

  function keyHandler(area) {
    var leaving = false;
    return function (event) {
      if (event.key === "Escape") { leaving = true; return; }
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        area.dispatchEvent(new CustomEvent("lp-run"));
        return;
      }
      if (event.key !== "Tab" || leaving || event.altKey || event.ctrlKey || event.metaKey) {
        if (event.key !== "Shift") leaving = false;
        return;
      }
      event.preventDefault();
      var text = area.value, start = area.selectionStart, end = area.selectionEnd;
      var lineStart = text.lastIndexOf("\n", start - 1) + 1;
      if (!event.shiftKey && start === end) {
        area.setRangeText(INDENT, start, end, "end");
      } else {
        var block = text.slice(lineStart, end);
        var lines = block.split("\n");
        var changed = lines.map(function (line) {
          if (!event.shiftKey) return INDENT + line;
          return line.replace(/^ {1,4}|^\t/, "");
        }).join("\n");
        area.setRangeText(changed, lineStart, end, "select");
        if (start === end) {
          var caret = Math.max(lineStart, start + changed.length - block.length);
          area.setSelectionRange(caret, caret);
        }
      }
      area.dispatchEvent(new Event("input", { bubbles: true }));
    };
  }

  function attach(options) {
    var model = options.model, el = options.el;
    if (model.get("kind") !== "code" || model.get("mode") !== "practice") return;
    var root = el.querySelector(".lp");
    if (!root || root.querySelector(".lp-python")) return;
    var strings = model.get("strings") || {};
    var t = function (s) { return strings[s] || s; };
    var spec = model.get("inpage") || {};
    var help = root.querySelector(".lp-help");
    var needs = spec.needs || [];
    if (spec.unavailable || needs.length || !spec.code) {
      // keep the widget's own advice (open the notebook in Jupyter), and say why
      var why = needs.length ? fill(t("This exercise needs {packages}, which this page cannot run: open the notebook in Jupyter (Binder or your course hub) to do it."), { packages: needs.join(", ") }) :
        t("This exercise cannot run in this page: open the notebook in Jupyter (Binder or your course hub) to do it.");
      root.insertBefore(h("p", { class: "lp-python lp-notice", text: why }), help ? help.nextSibling : null);
      return;
    }
    addCss();
    var n = ++counter;
    var areaId = "lp-code-" + n, helpId = "lp-code-help-" + n;
    var area = h("textarea", {
      id: areaId, class: "lp-editor", dir: "ltr", spellcheck: "false", autocapitalize: "off",
      autocomplete: "off", wrap: "off", rows: String(Math.min(24, Math.max(6, spec.code.split("\n").length + 1))),
      "aria-describedby": helpId,
    });
    area.value = spec.code;
    var runButton = h("button", { type: "button", class: "lp-run", text: t("Run") });
    var checkButton = h("button", { type: "button", class: "lp-run-check", text: t("Check") });
    var stopButton = h("button", { type: "button", class: "lp-stop", hidden: true, text: t("Stop") });
    var status = h("p", { class: "lp-run-status", role: "status", "aria-live": "polite" });
    var outputId = "lp-output-" + n;
    var output = h("pre", { id: outputId, class: "lp-output", dir: "ltr", tabindex: "0", "aria-label": t("Output") });
    var box = h("div", { class: "lp-python" }, [
      h("label", { for: areaId, class: "lp-prompt", text: t("Your code") }),
      h("p", { id: helpId, class: "lp-help", text: t("Tab indents. To leave the editor, press Escape, then Tab. Ctrl+Enter runs the code.") }),
      area,
      h("div", { class: "lp-actions" }, [runButton, checkButton, stopButton]),
      status,
      output,
    ]);
    if (help) help.textContent = t("Write your code below: Run shows what it does, Check runs the exercise's tests.");
    root.insertBefore(box, help ? help.nextSibling : null);
    area.addEventListener("keydown", keyHandler(area));
    // what this browser kept (lp-progress.js, any language's page) or a notebook's answers file
    var store = window.__learnpacksStore;
    var saved = store && store.get(model.get("exercise_id"));
    if (saved && saved.kind === "code" && saved.answer && typeof saved.answer === "object") {
      if (typeof saved.answer.code === "string" && saved.answer.code.trim()) area.value = saved.answer.code;
      model.set("result", {
        status: saved.status === "correct" ? "correct" : "incorrect",
        attempts: Number(saved.attempts) || 1,
        feedback: Array.isArray(saved.answer.messages) ? saved.answer.messages.map(String) : [],
        wrong: [],
      });
    }

    var busy = false;
    var written = 0, dropped = 0;
    function print(text, className) {
      if (written >= OUTPUT_LIMIT) { dropped += text.length; return; }
      var part = text.slice(0, OUTPUT_LIMIT - written);
      dropped += text.length - part.length;
      written += part.length;
      var last = output.lastChild;
      if (last && last.className === (className || "")) last.textContent += part;
      else output.append(h("span", { class: className || null, text: part }));
    }
    function finish() {
      busy = false;
      runButton.disabled = checkButton.disabled = false;
      stopButton.hidden = true;
      if (dropped) print("\n" + fill(t("More output was dropped: {n} characters."), { n: dropped }) + "\n", "lp-error");
    }
    function go(check) {
      if (busy) return;
      busy = true;
      written = dropped = 0;
      output.replaceChildren();
      runButton.disabled = checkButton.disabled = true;
      stopButton.hidden = false;
      status.textContent = booted ? t("Running…") : t("Loading Python in this page (the first time takes a while)…");
      var code = area.value;
      run({
        code: code,
        tests: spec.tests == null ? null : spec.tests,
        expected: spec.expected == null ? null : spec.expected,
        name: spec.name || "",
        check: check,
        strings: strings,
      }, {
        ready: function () { status.textContent = t("Running…"); },
        output: function (stream, text) { print(text, stream === "stderr" ? "lp-error" : ""); },
        end: function (msg) {
          finish();
          try { report(Object.assign({ code: code }, msg)); } finally {
            window.dispatchEvent(new CustomEvent("learnpacks:python-done", { detail: { id: model.get("exercise_id"), type: msg.type } }));
          }
        },
      });
    }
    function report(msg) {
      if (msg.type === "stopped") {
        status.textContent = t("Stopped. Python starts again at the next run.");
        return;
      }
      if (msg.type === "failed") {
        status.textContent = location.protocol === "file:" ?
          t("Python cannot start in a page opened as a file: serve the folder (python3 -m http.server) and open it at http://localhost:8000/.") :
          t("Python could not start in this page.");
        return;
      }
      status.textContent = "";
      if (msg.error) print(msg.error, "lp-error");
      if (msg.verdict) record(msg.code, msg.verdict);
    }
    function record(code, verdict) {
      var before = model.get("result") || {};
      var attempts = (Number(before.attempts) || 0) + 1;
      var answer = { passed: !!verdict.passed, messages: verdict.messages || [], code: code };
      model.set("result", {
        status: verdict.passed ? "correct" : "incorrect",
        attempts: attempts,
        feedback: answer.messages,
        wrong: [],
      });
      window.dispatchEvent(new CustomEvent("learnpacks:answer", { detail: {
        id: model.get("exercise_id"),
        entry: { kind: "code", mode: "practice", answer: answer, status: verdict.passed ? "correct" : "incorrect", attempts: attempts, rules: {} },
      } }));
    }
    runButton.addEventListener("click", function () { go(false); });
    checkButton.addEventListener("click", function () { go(true); });
    area.addEventListener("lp-run", function () { go(false); });
    stopButton.addEventListener("click", function () {
      stopWorker();
      endAll("stopped");
      runButton.focus();
    });
  }

  window.__learnpacksPython = { attach: attach };
})();
