/*
 * Claimbase reader: open a claim's details in the panel (click, tap, Enter or Space, or a
 * #Cnnn link), step through the claims in text order, and filter them.
 *
 * The details are rendered by the server into <template id="detail-KEY"> elements (escaped
 * by Django); this script only clones them, so no text is ever parsed as HTML here.
 * Plain ES2017, no dependencies, no network requests.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var panel = document.getElementById("claim-panel");
  var panelBody = document.getElementById("panel-body");
  var text = document.getElementById("document-text");
  if (!panel || !panelBody || !text) {
    return;
  }
  var closeButton = panel.querySelector("[data-action='close']");
  var intro = panelBody.cloneNode(true).childNodes;
  var introNodes = Array.prototype.slice.call(intro);
  var form = document.getElementById("filters");
  var count = document.getElementById("match-count");

  var templates = Array.prototype.slice.call(document.querySelectorAll("template.claim-template"));
  var order = templates.map(function (t) { return t.dataset.key; });
  var byKey = {};
  templates.forEach(function (t) { byKey[t.dataset.key] = t; });

  var spans = {};
  Array.prototype.forEach.call(text.querySelectorAll(".claim[data-key]"), function (el) {
    (spans[el.dataset.key] = spans[el.dataset.key] || []).push(el);
  });

  var current = null;
  var matching = null; // keys matching the filters; null when no filter is set

  /* The spans showing a claim: its own, or those of the claim it is drawn inside. */
  function spansOf(key) {
    if (spans[key]) {
      return spans[key];
    }
    var host = byKey[key] && byKey[key].dataset.host;
    return host && spans[host] ? spans[host] : [];
  }

  function deselect() {
    if (current === null) {
      return;
    }
    spansOf(current).forEach(function (el) {
      el.classList.remove("is-selected");
      el.setAttribute("aria-pressed", "false");
    });
  }

  /* Bring a span into the part of the window the panel does not cover. */
  function reveal(el) {
    var rect = el.getBoundingClientRect();
    var panelRect = panel.getBoundingClientRect();
    var sheet = getComputedStyle(panel).position === "fixed";
    var bottom = sheet ? panelRect.top : window.innerHeight;
    if (rect.top < 8 || rect.bottom > bottom - 8) {
      window.scrollBy({ top: rect.top - Math.max(bottom * 0.3, 16), behavior: "auto" });
    }
  }

  function open(key, options) {
    var template = byKey[key];
    if (!template) {
      return false;
    }
    options = options || {};
    deselect();
    current = key;
    panelBody.replaceChildren(template.content.cloneNode(true));
    panel.classList.add("is-open");
    document.body.classList.add("panel-open");
    closeButton.hidden = false;
    panel.scrollTop = 0;
    var own = spansOf(key);
    own.forEach(function (el) {
      el.classList.add("is-selected");
      el.setAttribute("aria-pressed", "true");
    });
    if (options.updateHash) {
      history.replaceState(null, "", "#" + encodeURIComponent(key));
    }
    if (own.length) {
      reveal(own[0]);
    }
    if (options.focus !== false) {
      var heading = panelBody.querySelector(".detail-heading");
      (heading || panel).focus({ preventScroll: true });
    }
    return true;
  }

  function close() {
    var key = current;
    deselect();
    current = null;
    panelBody.replaceChildren.apply(panelBody, introNodes.map(function (n) { return n.cloneNode(true); }));
    panel.classList.remove("is-open");
    document.body.classList.remove("panel-open");
    closeButton.hidden = true;
    history.replaceState(null, "", location.pathname + location.search);
    var own = key === null ? [] : spansOf(key);
    if (own.length) {
      own[0].focus({ preventScroll: true });
    }
  }

  /* Previous / next claim in text order, among those matching the filters (if any match). */
  function step(delta) {
    var candidates = matching && matching.size ? order.filter(function (k) { return matching.has(k); }) : order;
    if (!candidates.length) {
      return;
    }
    var target;
    if (current === null) {
      target = delta > 0 ? candidates[0] : candidates[candidates.length - 1];
    } else {
      var index = order.indexOf(current);
      for (var i = index + delta; i >= 0 && i < order.length; i += delta) {
        if (candidates.indexOf(order[i]) !== -1) {
          target = order[i];
          break;
        }
      }
      if (target === undefined) {
        return; // already at the first or last one
      }
    }
    open(target, { updateHash: true });
  }

  function keyFromHash() {
    try {
      return decodeURIComponent(location.hash.slice(1));
    } catch (e) {
      return "";
    }
  }

  /* --- Events ------------------------------------------------------------------------ */

  text.addEventListener("click", function (event) {
    var el = event.target.closest(".claim[data-key]");
    if (!el) {
      return;
    }
    event.preventDefault();
    open(el.dataset.key, { updateHash: true });
  });

  text.addEventListener("keydown", function (event) {
    var el = event.target.closest(".claim[data-key]");
    if (el && (event.key === " " || event.key === "Spacebar")) {
      event.preventDefault(); // a button activates on Space; do not scroll the page
      open(el.dataset.key, { updateHash: true });
    }
  });

  panel.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) {
      return;
    }
    var action = button.dataset.action;
    if (action === "close") {
      close();
    } else if (action === "next") {
      step(1);
    } else if (action === "previous") {
      step(-1);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && current !== null) {
      var inPanel = panel.contains(document.activeElement);
      var onClaim = document.activeElement && document.activeElement.classList.contains("claim");
      if (inPanel || onClaim || document.activeElement === document.body) {
        event.preventDefault();
        close();
      }
    }
  });

  window.addEventListener("hashchange", function () {
    var key = keyFromHash();
    if (key && key !== current) {
      open(key);
    }
  });

  /* --- Filters ----------------------------------------------------------------------- */

  function readFilters() {
    return {
      type: form.elements.type.value,
      verdict: form.elements.verdict.value,
      topic: form.elements.topic.value,
      counter: form.elements.counter.checked,
    };
  }

  function matches(template, f) {
    var d = template.dataset;
    return (
      (!f.type || d.type === f.type) &&
      (!f.verdict || d.verdict === f.verdict) &&
      (!f.topic || d.topics.split(" ").indexOf(f.topic) !== -1) &&
      (!f.counter || d.counter === "1")
    );
  }

  function applyFilters(updateUrl) {
    var f = readFilters();
    var active = Boolean(f.type || f.verdict || f.topic || f.counter);
    matching = new Set();
    templates.forEach(function (t) {
      var ok = matches(t, f);
      if (ok) {
        matching.add(t.dataset.key);
      }
      (spans[t.dataset.key] || []).forEach(function (el) {
        el.classList.toggle("is-dimmed", !ok);
      });
    });
    if (!active) {
      matching = null;
    }
    var n = matching ? matching.size : templates.length;
    var strong = document.createElement("strong");
    strong.textContent = String(n);
    var rest = " of " + templates.length + " claim" + (templates.length === 1 ? "" : "s") +
      " match" + (active ? "; the others are dimmed." : ".");
    count.replaceChildren(strong, document.createTextNode(rest));
    if (updateUrl) {
      var params = new URLSearchParams();
      if (f.type) { params.set("type", f.type); }
      if (f.verdict) { params.set("verdict", f.verdict); }
      if (f.topic) { params.set("topic", f.topic); }
      if (f.counter) { params.set("counter", "1"); }
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
  }

  if (form) {
    form.addEventListener("change", function () { applyFilters(true); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      applyFilters(true);
    });
    var clear = form.querySelector(".clear-filters");
    if (clear) {
      clear.addEventListener("click", function (event) {
        event.preventDefault();
        form.elements.type.value = "";
        form.elements.verdict.value = "";
        form.elements.topic.value = "";
        form.elements.counter.checked = false;
        applyFilters(true);
      });
    }
    applyFilters(false);
    var box = document.getElementById("filters-box");
    if (box && !matching && window.matchMedia("(max-width: 40em)").matches) {
      box.open = false; // on a phone the text comes first; the filters are one tap away
    }
  }

  /* --- A #Cnnn link opens that claim ------------------------------------------------- */

  var initial = keyFromHash();
  if (initial) {
    open(initial, { focus: false }); // the page has just loaded: leave focus where it starts
  }
})();
