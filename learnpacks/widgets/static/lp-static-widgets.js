/* learnpacks: render the anywidgets saved in a static page, without the ipywidgets HTML manager.
 *
 * A classic script, loaded by the site's pages whose widget state holds only anywidget models
 * (learnpacks/book/sphinx_ext.py picks them). It reads the page's widget state and, for each widget
 * view tag, puts the widget where @jupyter-widgets/html-manager would (a div.widget-subarea before
 * the tag, holding the view's element), then calls the `render({model, el})` of the widget's ES
 * module (its `_esm`), imported from a blob: URL, which Chromium allows a file:// page too. Each
 * distinct `_css` is added once and each distinct `_esm` imported once.
 *
 * There is no kernel: `send` does nothing (as in the HTML manager), and `set` changes only the page's
 * copy. A widget that cannot be rendered is reported on the console; the others still render.
 * The site writes each distinct `_esm` and `_css` once per page, which the models name by reference.
 * No network access: nothing is fetched but the page's own blobs.
 */
(function () {
  "use strict";

  var STATE = "application/vnd.jupyter.widget-state+json";
  var VIEW = "application/vnd.jupyter.widget-view+json";
  var PREFIX = "learnpacks widgets: ";

  /* The site writes each distinct `_esm` and `_css` once, under `learnpacks_shared`, and has the
     models name it ("learnpacks-shared:<key>"; learnpacks/book/sphinx_ext.py share_widget_code). */
  var SHARED = "learnpacks-shared:";
  function resolveShared(saved, shared) {
    var values = (saved && saved.state) || {};
    ["_esm", "_css"].forEach(function (name) {
      var value = values[name];
      if (typeof value === "string" && value.indexOf(SHARED) === 0) {
        values[name] = shared[value.slice(SHARED.length)];
      }
    });
    return saved;
  }

  function readState() {
    var models = {};
    document.querySelectorAll('script[type="' + STATE + '"]').forEach(function (tag) {
      try {
        var doc = JSON.parse(tag.textContent);
        var state = doc.state || {};
        var shared = doc.learnpacks_shared || {};
        Object.keys(state).forEach(function (id) { models[id] = resolveShared(state[id], shared); });
      } catch (error) {
        console.error(PREFIX + "the page's widget state cannot be read", error);
      }
    });
    return models;
  }

  function makeModel(id, saved) {
    var state = Object.assign({}, saved.state || {});
    var handlers = [];
    var model = {
      model_id: id,
      get: function (name) { return state[name]; },
      set: function (name, value) {
        var old = state[name];
        state[name] = value;
        if (old !== value) model.trigger("change:" + name, value);
      },
      save_changes: function () {},
      send: function () {},  // no kernel to send to, as with the HTML manager on a static page
      on: function (name, callback, context) {
        handlers.push({ name: name, callback: callback, context: context });
      },
      off: function (name, callback) {
        handlers = handlers.filter(function (h) {
          return !((name == null || h.name === name) && (callback == null || h.callback === callback));
        });
      },
      trigger: function (name) {
        var args = Array.prototype.slice.call(arguments, 1);
        handlers.filter(function (h) { return h.name === name; }).forEach(function (h) {
          h.callback.apply(h.context, args);
        });
      }
    };
    return model;
  }

  var styles = new Set();
  function addCss(css) {
    if (!css || styles.has(css)) return;
    styles.add(css);
    var style = document.createElement("style");
    style.textContent = css;
    document.head.appendChild(style);
  }

  var modules = new Map();
  function importEsm(esm) {
    if (!modules.has(esm)) {
      var url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
      modules.set(esm, import(url).then(function (mod) {
        URL.revokeObjectURL(url);
        if (mod.render) return { render: mod.render };  // anywidget's older module shape
        if (!mod.default) throw new Error("the widget's module has no default export");
        return typeof mod.default === "function" ? mod.default() : mod.default;
      }, function (error) {
        URL.revokeObjectURL(url);
        throw error;
      }));
    }
    return modules.get(esm);
  }

  // In-page Python for practice code exercises (lp-python.js, beside this file), loaded only on a
  // page that has one; it loads Pyodide itself, when the learner first presses Run.
  var ME = document.currentScript && document.currentScript.src;
  var python = null;
  function loadPython() {
    if (!python) {
      python = new Promise(function (resolve, reject) {
        if (!ME) return reject(new Error("cannot tell where lp-python.js is"));
        var script = document.createElement("script");
        script.src = ME.slice(0, ME.lastIndexOf("/") + 1) + "lp-python.js";
        script.onload = function () { resolve(window.__learnpacksPython); };
        script.onerror = function () { reject(new Error("lp-python.js did not load")); };
        document.head.appendChild(script);
      });
    }
    return python;
  }
  function addPython(model, el) {
    var spec = model.get("inpage");
    if (model.get("kind") !== "code" || model.get("mode") !== "practice" || !spec || !Object.keys(spec).length) return;
    return loadPython().then(function (inPage) {
      inPage.attach({ model: model, el: el });
      window.dispatchEvent(new CustomEvent("learnpacks:python-ready", { detail: { model: model, el: el } }));
    });
  }

  var initialized = new Map();
  function renderView(tag, saved, models) {
    var view = JSON.parse(tag.textContent);
    var id = view.model_id;
    var entry = saved[id];
    if (!entry) throw new Error("no model " + id + " in the page's widget state");
    if (entry.model_module !== "anywidget" || entry.model_name !== "AnyModel") {
      throw new Error("model " + id + " is a " + entry.model_module + " " + entry.model_name +
        ", not an anywidget: this page needs the ipywidgets HTML manager");
    }
    var esm = (entry.state || {})._esm;
    if (typeof esm !== "string" || !esm) throw new Error("model " + id + " has no _esm module");
    if (!models[id]) models[id] = makeModel(id, entry);
    var model = models[id];
    var area = document.createElement("div");
    area.className = "widget-subarea";
    var el = document.createElement("div");
    el.className = "lm-Widget jupyter-widgets-disconnected";
    (model.get("_dom_classes") || []).forEach(function (name) { el.classList.add(name); });
    area.appendChild(el);
    tag.parentNode.insertBefore(area, tag);
    addCss(model.get("_css"));
    return importEsm(esm).then(function (widget) {
      if (!widget || typeof widget.render !== "function") {
        throw new Error("the widget's module has no render function");
      }
      if (!initialized.has(id)) {
        initialized.set(id, Promise.resolve(widget.initialize && widget.initialize({ model: model })));
      }
      return initialized.get(id)
        .then(function () { return widget.render({ model: model, el: el }); })
        .then(function () { return addPython(model, el); });
    });
  }

  function renderAll() {
    var saved = readState();
    var models = {};
    document.querySelectorAll('script[type="' + VIEW + '"]').forEach(function (tag) {
      var id = "?";
      try {
        id = JSON.parse(tag.textContent).model_id;
        renderView(tag, saved, models).catch(function (error) {
          console.error(PREFIX + "cannot render widget " + id + ": " + error.message, error);
        });
      } catch (error) {
        console.error(PREFIX + "cannot render widget " + id + ": " + error.message, error);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", renderAll);
  else renderAll();
})();
