/* learnpacks: a learner's Python, run in Pyodide inside this Web Worker (started by lp-python.js).
 *
 * The page stops a runaway loop by terminating this worker, so the page itself never freezes.
 * Pyodide and the checker come from the site's own _vendor/ folder (the folder this file is in):
 * pyodide/ is the npm package `pyodide`, and lp_codecheck.py is learnpacks/widgets/codecheck.py,
 * the very module the kernel checks code exercises with. Nothing is fetched from another host.
 *
 * It is an ES module worker. Messages in: {id, code, tests, expected, name, check, strings}.
 * Messages out: {type: "ready"} once Python runs, {type: "output", id, stream, text} as the code
 * prints, {type: "done", id, verdict, error}, or {type: "failed", error} if Python cannot start.
 */
// A module worker (Pyodide refuses classic ones): `new Worker(url, {type: "module"})`.
import { loadPyodide } from "./pyodide/pyodide.mjs";

var BASE = self.location.href.slice(0, self.location.href.lastIndexOf("/") + 1);
var python = null;

function boot() {
  if (!python) {
    python = (async function () {
      var pyodide = await loadPyodide({ indexURL: BASE + "pyodide/" });
      var response = await fetch(BASE + "lp_codecheck.py");
      if (!response.ok) throw new Error("lp_codecheck.py: HTTP " + response.status);
      pyodide.FS.mkdirTree("/lp");
      pyodide.FS.writeFile("/lp/lp_codecheck.py", await response.text());
      pyodide.runPython("import sys\nif '/lp' not in sys.path: sys.path.insert(0, '/lp')");
      return { pyodide: pyodide, checker: pyodide.pyimport("lp_codecheck") };
    })();
  }
  return python;
}

self.onmessage = async function (event) {
  var job = event.data || {};
  var ready;
  try {
    ready = await boot();
  } catch (error) {
    self.postMessage({ type: "failed", id: job.id, error: String((error && error.message) || error) });
    return;
  }
  self.postMessage({ type: "ready", id: job.id });
  var write = function (stream, text) {
    self.postMessage({ type: "output", id: job.id, stream: stream, text: text });
  };
  var strings = ready.pyodide.toPy(job.strings || {});
  var result = null;
  try {
    // a JavaScript null would reach Python as `jsnull`, not None: absent keys are left out
    var options = { name: job.name || "", check: !!job.check, strings: strings, write: write };
    if (job.tests != null) options.tests = String(job.tests);
    if (job.expected != null) options.expected = String(job.expected);
    result = ready.checker.run_cell.callKwargs(String(job.code || ""), options);
    var found = result.toJs({ dict_converter: Object.fromEntries });
    self.postMessage({ type: "done", id: job.id, verdict: found.verdict || null, error: found.error || null });
  } catch (error) {
    self.postMessage({ type: "done", id: job.id, verdict: null, error: String((error && error.message) || error) });
  } finally {
    strings.destroy();
    if (result && result.destroy) result.destroy();
  }
};
