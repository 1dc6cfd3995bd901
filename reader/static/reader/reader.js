/*
 * Claimbase reader: open a claim's details in the panel (click, tap, Enter or Space, or a
 * #Cnnn link), step through the claims in text order, filter them and find words in them.
 *
 * The page carries only the text and a small index of its claims (#claim-index: key,
 * type, verdict, topics, counter-sources, host, public). A claim's details are fetched
 * when it is selected, as an HTML fragment the server rendered and escaped
 * (/documents/<slug>/claims/<key>/panel/), so the page does not grow with the evidence.
 * Plain ES2017, no dependencies; the only requests go to the same site.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var panel = document.getElementById("claim-panel");
  var panelBody = document.getElementById("panel-body");
  var text = document.getElementById("document-text");
  var indexData = document.getElementById("claim-index");
  if (!panel || !panelBody || !text || !indexData) {
    return;
  }
  var claimsUrl = panel.dataset.claimsUrl;
  var closeButton = panel.querySelector("[data-action='close']");
  var position = document.getElementById("panel-position");
  var introNodes = Array.prototype.slice.call(panelBody.cloneNode(true).childNodes);
  var form = document.getElementById("filters");
  var count = document.getElementById("match-count");

  var order = [];
  var byKey = {};
  JSON.parse(indexData.textContent).forEach(function (row) {
    order.push(row[0]);
    byKey[row[0]] = {
      type: row[1], verdict: row[2], topics: row[3] ? row[3].split(" ") : [],
      counter: row[4] === 1, host: row[5], isPublic: row[6] === 1,
    };
  });

  var spans = {};
  Array.prototype.forEach.call(text.querySelectorAll(".claim[data-key]"), function (el) {
    (spans[el.dataset.key] = spans[el.dataset.key] || []).push(el);
  });

  var current = null;
  var matching = null; // keys matching the filters, in text order; null when no filter is set
  var fragments = {}; // key -> HTML of its panel, once fetched
  var request = 0; // the latest selection; an older answer arriving late is dropped

  /* The spans showing a claim: its own, or those of the claim it is drawn inside. */
  function spansOf(key) {
    if (spans[key]) {
      return spans[key];
    }
    var host = byKey[key] && byKey[key].host;
    return host && spans[host] ? spans[host] : [];
  }

  function textOf(key) {
    return spansOf(key).map(function (el) { return el.textContent; }).join("").toLowerCase();
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

  /* "3 of 43 matches" within the filters, else "5 of 215 claims". */
  function positionText(key) {
    if (!byKey[key]) {
      return "";
    }
    if (matching) {
      var at = matching.indexOf(key);
      var noun = matching.length === 1 ? " match" : " matches";
      return at === -1
        ? "Not among the " + matching.length + noun
        : (at + 1) + " of " + matching.length + noun;
    }
    return (order.indexOf(key) + 1) + " of " + order.length + " claims";
  }

  function showPosition(key) {
    var words = positionText(key);
    position.textContent = words;
    var slot = panelBody.querySelector(".detail-count");
    if (slot) {
      slot.textContent = words ? " · " + words : "";
    }
  }

  function show(key, html, options) {
    var holder = document.createElement("template");
    holder.innerHTML = html; // the server's own escaped fragment
    panelBody.replaceChildren(holder.content);
    panel.scrollTop = 0;
    showPosition(key);
    var own = spansOf(key);
    if (own.length) {
      reveal(own[0]); // again: on a phone the sheet has grown to hold the details
    }
    if (options.focus !== false) {
      var heading = panelBody.querySelector(".detail-heading");
      (heading || panel).focus({ preventScroll: true });
    }
  }

  function message(words) {
    var p = document.createElement("p");
    p.className = "panel-loading";
    p.textContent = words;
    panelBody.replaceChildren(p);
  }

  function fetchPanel(key) {
    var url = claimsUrl + encodeURIComponent(key) + "/panel/";
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(
      function (response) {
        if (response.ok || response.status === 404) {
          return response.text().then(function (html) {
            if (response.ok) {
              fragments[key] = html;
            }
            return html;
          });
        }
        throw new Error("the server answered " + response.status);
      }
    );
  }

  function open(key, options) {
    options = options || {};
    deselect();
    current = key;
    panel.classList.add("is-open");
    document.body.classList.add("panel-open");
    closeButton.hidden = false;
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
    var ticket = ++request;
    if (fragments[key]) {
      show(key, fragments[key], options);
      return;
    }
    message("Loading claim " + key + "…");
    position.textContent = "";
    fetchPanel(key).then(
      function (html) {
        if (ticket === request) {
          show(key, html, options);
        }
      },
      function (error) {
        if (ticket === request) {
          message("The details of claim " + key + " could not be loaded (" + error.message +
            "). Select it again to retry.");
        }
      }
    );
  }

  function close() {
    var key = current;
    deselect();
    current = null;
    request++;
    panelBody.replaceChildren.apply(panelBody, introNodes.map(function (n) { return n.cloneNode(true); }));
    position.textContent = "";
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
    var candidates = matching && matching.length ? matching : order;
    if (!candidates.length) {
      return;
    }
    var target;
    if (current === null || !byKey[current]) {
      target = delta > 0 ? candidates[0] : candidates[candidates.length - 1];
    } else {
      var index = order.indexOf(current);
      var wanted = {};
      candidates.forEach(function (k) { wanted[k] = true; });
      for (var i = index + delta; i >= 0 && i < order.length; i += delta) {
        if (wanted[order[i]]) {
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

  /* A #fragment names a claim unless it is the id of something else (#main, #section-2). */
  function claimInHash() {
    var key = keyFromHash();
    var el = key && document.getElementById(key);
    return key && !(el && !el.dataset.key) ? key : "";
  }

  window.addEventListener("hashchange", function () {
    var key = claimInHash();
    if (key && key !== current) {
      open(key);
    }
  });

  /* --- Filters and finding words ----------------------------------------------------- */

  function readFilters() {
    return {
      type: form.elements.type.value,
      verdict: form.elements.verdict.value,
      topic: form.elements.topic.value,
      counter: form.elements.counter.checked,
      find: form.elements.find.value.trim().replace(/\s+/g, " "),
    };
  }

  function matches(key, f, words) {
    var d = byKey[key];
    if (
      (f.type && d.type !== f.type) ||
      (f.verdict && d.verdict !== f.verdict) ||
      (f.topic && d.topics.indexOf(f.topic) === -1) ||
      (f.counter && !d.counter)
    ) {
      return false;
    }
    if (!words.length) {
      return true;
    }
    var own = textOf(key);
    return words.every(function (word) { return own.indexOf(word) !== -1; });
  }

  function applyFilters(updateUrl) {
    var f = readFilters();
    var words = f.find ? f.find.toLowerCase().split(" ") : [];
    var active = Boolean(f.type || f.verdict || f.topic || f.counter || words.length);
    var found = [];
    order.forEach(function (key) {
      var ok = matches(key, f, words);
      if (ok) {
        found.push(key);
      }
      (spans[key] || []).forEach(function (el) {
        el.classList.toggle("is-dimmed", !ok);
      });
    });
    matching = active ? found : null;
    var n = found.length;
    var strong = document.createElement("strong");
    strong.textContent = String(n);
    var rest = " of " + order.length + " claim" + (order.length === 1 ? "" : "s") +
      " match" + (active ? "; the others are dimmed." : ".");
    count.replaceChildren(strong, document.createTextNode(rest));
    if (current !== null) {
      showPosition(current);
    }
    if (updateUrl) {
      var params = new URLSearchParams();
      if (f.type) { params.set("type", f.type); }
      if (f.verdict) { params.set("verdict", f.verdict); }
      if (f.topic) { params.set("topic", f.topic); }
      if (f.counter) { params.set("counter", "1"); }
      if (f.find) { params.set("find", f.find); }
      var query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : "") + location.hash);
    }
  }

  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name !== "find") {
        applyFilters(true);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      applyFilters(true);
      if (matching && matching.length) {
        open(matching[0], { updateHash: true }); // "1 of N matches"
      }
    });
    var clear = form.querySelector(".clear-filters");
    if (clear) {
      clear.addEventListener("click", function (event) {
        event.preventDefault();
        form.elements.type.value = "";
        form.elements.verdict.value = "";
        form.elements.topic.value = "";
        form.elements.counter.checked = false;
        form.elements.find.value = "";
        applyFilters(true);
      });
    }
    applyFilters(false);
    var box = document.getElementById("filters-box");
    if (box && !matching && window.matchMedia("(max-width: 40em)").matches) {
      box.open = false; // on a phone the text comes first; the filters are one tap away
    }
  }

  /* --- A #Cnnn link opens that claim (or says why it cannot) -------------------------- */

  var initial = claimInHash();
  if (initial) {
    open(initial, { focus: false }); // the page has just loaded: leave focus where it starts
  }
})();
