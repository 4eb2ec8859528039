/* learnpacks site script: catalog filters and Pagefind search. No network access beyond this site. */
(function () {
  "use strict";

  function filterCatalog(form) {
    var values = {};
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (select) {
      values[select.name] = select.value;
    });
    var cards = document.querySelectorAll(".lp-card");
    var shown = 0;
    Array.prototype.forEach.call(cards, function (card) {
      var ok = true;
      if (values.level && card.dataset.level !== values.level) ok = false;
      if (values.topic && card.dataset.topics.split("|").indexOf(values.topic) < 0) ok = false;
      if (values.format && card.dataset.formats.split("|").indexOf(values.format) < 0) ok = false;
      if (values.language && card.dataset.languages.split("|").indexOf(values.language) < 0) ok = false;
      if (values.duration) {
        var bound = parseInt(values.duration, 10);
        var minutes = parseInt(card.dataset.duration, 10);
        if (bound === 0 ? minutes <= 120 : minutes > bound) ok = false;
      }
      card.hidden = !ok;
      if (ok) shown += 1;
    });
    var status = document.getElementById("lp-count");
    if (status) {
      status.textContent = shown === 0
        ? status.dataset.empty
        : status.dataset.template.replace("{shown}", shown).replace("{total}", cards.length);
    }
  }

  function setUpFilters() {
    var form = document.querySelector(".lp-filters");
    if (!form) return;
    form.addEventListener("change", function () { filterCatalog(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
  }

  function setUpSearch() {
    var target = document.getElementById("lp-search");
    if (!target) return;
    var bundle = target.dataset.bundle;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = bundle + "pagefind-ui.css";
    document.head.appendChild(css);
    var script = document.createElement("script");
    script.src = bundle + "pagefind-ui.js";
    script.onload = function () {
      /* Pagefind UI lists the filters its first search reports. A search typed while the filter
         chunks were still loading reported only those already loaded, and the others stayed
         missing until the next search (a reader typing fast, a busy machine). So the filters load
         first, in the module the UI then imports (the same address: one instance). */
      import(new URL("pagefind.js", script.src).href)
        .then(function (pagefind) { return pagefind.filters(); })
        .catch(function () { /* the UI's own import reports what is wrong */ })
        .then(function () { startSearch(target, bundle); });
    };
    document.head.appendChild(script);
  }

  function startSearch(target, bundle) {
    /* global PagefindUI */
    var ui = new PagefindUI({
      element: "#lp-search",
      bundlePath: bundle,
      /* result addresses from the site's root wherever it is served: under a sub-path, from
         disk, inside Kiwix (Pagefind's default, "/", left the site for the server's root) */
      baseUrl: new URL(bundle + "../", window.location.href).pathname,
      showSubResults: true,
      showImages: false,
      resetStyles: false,
      /* the site's catalog's words for Pagefind's, where the page's language has them */
      translations: Object.assign(
        JSON.parse(target.dataset.translations || "{}"),
        { placeholder: target.dataset.placeholder }
      )
    });
    labelSearchInput(target);
    /* the search page, reached from the theme's search box (search.html?q=words) */
    var words = new URLSearchParams(window.location.search).get("q");
    if (words) ui.triggerSearch(words);
  }

  /* Pagefind UI names its form but not its input; give the input the visible placeholder as its name. */
  function labelSearchInput(target) {
    function label() {
      var input = target.querySelector("input");
      if (!input) return false;
      input.setAttribute("aria-label", target.dataset.placeholder);
      return true;
    }
    if (label()) return;
    var observer = new MutationObserver(function () { if (label()) observer.disconnect(); });
    observer.observe(target, { childList: true, subtree: true });
  }

  /* pydata-sphinx-theme 0.17 opens its sidebar dialogs from the first .primary-toggle and
     .secondary-toggle of the page only: its own navbar buttons, which sphinx-book-theme hides. The
     book theme's visible buttons then did nothing on a phone (pydata-sphinx-theme issue #2451).
     Below the theme's wide-screen width, a click on them is passed to the theme's own button. */
  function setUpSidebarToggles() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (selector) {
      var buttons = document.querySelectorAll(selector);
      var handled = buttons[0];
      Array.prototype.slice.call(buttons, 1).forEach(function (button) {
        button.addEventListener("click", function (event) {
          if (window.matchMedia("(min-width: 992px)").matches) return; // the book theme's own
          event.preventDefault();
          event.stopPropagation();
          handled.click();
        });
      });
    });
  }

  /* kiwix-serve puts its toolbar (#kiwixtoolbar, fixed at the top) into each page of a ZIM:
     the site's sticky headers go below it instead of over it (learnpacks.css, html.lp-kiwix). */
  function makeRoomForKiwix() {
    var bar = document.getElementById("kiwixtoolbar");
    if (!bar) return;
    var root = document.documentElement;
    function measure() { root.style.setProperty("--lp-kiwix-bar", bar.offsetHeight + "px"); }
    root.classList.add("lp-kiwix");
    measure();
    window.addEventListener("resize", measure);
  }

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () { setUpFilters(); setUpSearch(); setUpSidebarToggles(); makeRoomForKiwix(); });
})();
