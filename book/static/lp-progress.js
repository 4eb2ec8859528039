/* learnpacks site script: one learner's progress across a pack, kept in this browser only.
 *
 * Answers are kept per pack in localStorage under "learnpacks:answers:<pack id>", in the format of
 * the answers file that exercises keep beside a notebook in Jupyter (.learnpacks-answers.json,
 * learnpacks/widgets/answers.py):
 *   {"version": 1, "notebooks": {"<notebook>.ipynb": {"<exercise id>": {kind, mode, answer,
 *    status, attempts, rules, updated}}}}
 * The key holds no page address and no language, so every language edition of an exercise
 * shares its state. Nothing is sent anywhere. Exported, the same JSON opens in JupyterLab as the
 * notebook folder's answers file; imported, such a file restores progress here.
 *
 * On a notebook page it gives the exercises window.__learnpacksStore ({get, put}); on a pack's
 * overview and the catalog it fills every [data-lp-progress] element ("3 of 12 exercises done")
 * from its data-lp-exercises ({"<notebook>.ipynb": ["<id>", ...]}) and data-template; on the
 * overview it wires the save, load and reset buttons of .lp-progress-tools.
 */
(function () {
  "use strict";

  var PREFIX = "learnpacks:answers:";
  var VERSION = 1;
  var DONE = { correct: true, recorded: true };

  function where() {
    // .../packs/<pack>/<notebook>.html, on the web, in the zip bundle and in Kiwix alike
    var parts = decodeURIComponent(location.pathname).split("/");
    var at = parts.lastIndexOf("packs");
    if (at < 0 || at + 2 >= parts.length) return null;
    var page = parts[at + 2].replace(/\.html$/, "");
    return { pack: parts[at + 1], notebook: page === "index" || page === "" ? null : page + ".ipynb" };
  }

  function empty() { return { version: VERSION, notebooks: {} }; }

  function valid(data) {
    if (!data || typeof data !== "object" || data.version !== VERSION) return false;
    var notebooks = data.notebooks;
    if (!notebooks || typeof notebooks !== "object" || Array.isArray(notebooks)) return false;
    return Object.keys(notebooks).every(function (name) {
      var entries = notebooks[name];
      return entries && typeof entries === "object" && !Array.isArray(entries) &&
        Object.keys(entries).every(function (id) {
          return entries[id] && typeof entries[id] === "object" && !Array.isArray(entries[id]);
        });
    });
  }

  function load(pack) {
    try {
      var data = JSON.parse(localStorage.getItem(PREFIX + pack) || "null");
      return valid(data) ? data : empty();
    } catch (error) {
      return empty();
    }
  }

  function save(pack, data) {
    try {
      localStorage.setItem(PREFIX + pack, JSON.stringify(data));
    } catch (error) { /* storage disabled or full: progress lasts this page view */ }
    window.dispatchEvent(new CustomEvent("learnpacks:progress"));
  }

  function now() { return new Date().toISOString().replace(/\.\d+Z$/, "+00:00"); }

  var here = where();
  if (here && here.notebook) {
    window.__learnpacksStore = {
      get: function (id) {
        var entries = load(here.pack).notebooks[here.notebook] || {};
        return entries[id] || null;
      },
      put: function (id, entry) {
        var data = load(here.pack);
        var entries = data.notebooks[here.notebook] = data.notebooks[here.notebook] || {};
        entries[id] = Object.assign({ rules: {} }, entries[id] && { attempts: entries[id].attempts }, entry, { updated: now() });
        save(here.pack, data);
      },
    };
    window.addEventListener("learnpacks:answer", function (event) {
      var detail = event.detail || {};
      if (detail.id && detail.entry) window.__learnpacksStore.put(detail.id, detail.entry);
    });
  }

  function count(pack, exercises) {
    var data = load(pack);
    var done = 0, total = 0;
    Object.keys(exercises).forEach(function (notebook) {
      var entries = data.notebooks[notebook] || {};
      exercises[notebook].forEach(function (id) {
        total += 1;
        if (entries[id] && DONE[entries[id].status]) done += 1;
      });
    });
    return { done: done, total: total };
  }

  function fill() {
    document.querySelectorAll("[data-lp-progress]").forEach(function (node) {
      var exercises;
      try { exercises = JSON.parse(node.dataset.lpExercises || "{}"); } catch (error) { return; }
      var found = count(node.dataset.lpProgress, exercises);
      node.textContent = node.dataset.template.replace("{done}", found.done).replace("{total}", found.total);
      node.hidden = found.total === 0;
    });
  }

  function tools(box) {
    var pack = box.dataset.pack;
    var status = box.querySelector(".lp-progress-status");
    var say = function (text) { status.textContent = text; };
    box.querySelector(".lp-progress-save").addEventListener("click", function () {
      var blob = new Blob([JSON.stringify(load(pack), null, 1)], { type: "application/json" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "learnpacks-answers.json";  // browsers drop a leading dot
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
    });
    var input = box.querySelector(".lp-progress-file");
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      file.text().then(function (text) {
        var data = null;
        try { data = JSON.parse(text); } catch (error) { data = null; }
        if (!valid(data)) {
          say(box.dataset.notAnswers);
          return;
        }
        // what the file holds wins; other notebooks' and exercises' answers here are kept
        var mine = load(pack);
        var n = 0;
        Object.keys(data.notebooks).forEach(function (name) {
          var entries = mine.notebooks[name] = mine.notebooks[name] || {};
          Object.keys(data.notebooks[name]).forEach(function (id) {
            entries[id] = data.notebooks[name][id];
            n += 1;
          });
        });
        save(pack, mine);
        say(box.dataset.loaded.replace("{n}", n));
      }).finally(function () { input.value = ""; });
    });
    box.querySelector(".lp-progress-reset").addEventListener("click", function () {
      if (!window.confirm(box.dataset.confirm)) return;
      try { localStorage.removeItem(PREFIX + pack); } catch (error) { /* nothing kept */ }
      window.dispatchEvent(new CustomEvent("learnpacks:progress"));
      say(box.dataset.reset);
    });
  }

  function start() {
    fill();
    document.querySelectorAll(".lp-progress-tools").forEach(tools);
    window.addEventListener("learnpacks:progress", fill);
    // another tab of the same site (the French page while this is the English overview)
    window.addEventListener("storage", function (event) {
      if (event.key && event.key.indexOf(PREFIX) === 0) fill();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
