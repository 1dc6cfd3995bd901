/*
 * Claimbase reader: open a claim's details in the panel (click, tap, Enter or Space, or a
 * #Cnnn link), step through the claims in text order, filter them and find words in them.
 *
 * The page carries only the text and a small index of its claims (#claim-index: key,
 * type, verdict, topics, counter-sources, host, public). A claim's details are fetched
 * when it is selected, as an HTML fragment the server rendered and escaped
 * (/documents/<slug>/claims/<key>/panel/), so the page does not grow with the evidence.
 * A long text comes in parts (data-parts on the article): the page holds one part, and
 * the index of every claim is fetched (data-index-url, with each claim's part). The next
 * part is fetched (/documents/<slug>/parts/<n>/) as the reader nears the end of the text,
 * the previous one on request; a claim, section or #Cnnn link in a part not on the page
 * fetches that part. Words are then found by the server over the whole text (index
 * ?find=), not only in the parts loaded.
 * Plain ES2017, no dependencies; the only requests go to the same site.
 */
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  var panel = document.getElementById("claim-panel");
  var panelBody = document.getElementById("panel-body");
  var text = document.getElementById("document-text");
  var indexData = document.getElementById("claim-index");
  var indexUrl = text && text.dataset.indexUrl;
  if (!panel || !panelBody || !text || !(indexData || indexUrl)) {
    return;
  }
  var inParts = !indexData; // the text comes in parts; the index is fetched
  var partCount = Number(text.dataset.parts || "1");
  var claimsUrl = panel.dataset.claimsUrl;
  var closeButton = panel.querySelector("[data-action='close']");
  var position = document.getElementById("panel-position");
  var introNodes = Array.prototype.slice.call(panelBody.cloneNode(true).childNodes);
  var form = document.getElementById("filters");
  var count = document.getElementById("match-count");

  var order = [];
  var byKey = {};
  function readIndex(rows) {
    rows.forEach(function (row) {
      order.push(row[0]);
      byKey[row[0]] = {
        type: row[1], verdict: row[2], topics: row[3] ? row[3].split(" ") : [],
        counter: row[4] === 1, host: row[5], isPublic: row[6] === 1, part: row[7] || 1,
      };
    });
  }

  function getText(url, accept) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: accept } }).then(
      function (response) {
        if (!response.ok) {
          throw new Error("the server answered " + response.status);
        }
        return response.text();
      }
    );
  }

  /* Resolved once the index of every claim is known (at once, unless the text is in parts). */
  var ready;
  if (indexData) {
    readIndex(JSON.parse(indexData.textContent));
    ready = Promise.resolve();
  } else {
    ready = getText(indexUrl, "application/json").then(function (body) {
      readIndex(JSON.parse(body).claims);
    });
    ready.catch(function (error) {
      document.getElementById("match-count").textContent =
        "The index of the claims could not be loaded (" + error.message +
        "): filters and Previous / Next work once the page is loaded again.";
    });
  }

  var spans = {};
  function addSpans(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".claim[data-key]"), function (el) {
      (spans[el.dataset.key] = spans[el.dataset.key] || []).push(el);
    });
  }
  addSpans(text);

  var current = null;
  var matching = null; // keys matching the filters, in text order; null when no filter is set
  var matchingKeys = null; // the same as a set (.all when no filter is set), once filtered
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
    var entry = byKey[key];
    if (inParts && entry && !spansOf(key).length && !partElement(entry.part)) {
      var ticket = ++request;
      message("Loading the part of the text holding claim " + key + "…");
      showPart(entry.part).then(
        function () {
          if (ticket === request) {
            open(key, options);
          }
        },
        function (error) {
          if (ticket === request) {
            message("The part of the text holding claim " + key + " could not be loaded (" +
              error.message + "). Select it again to retry.");
          }
        }
      );
      return;
    }
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

  /* A #fragment names a claim unless it is the id of something else (#main, #section-2),
   * or a section of a part not on the page (the section menu knows its part). */
  function claimInHash() {
    var key = keyFromHash();
    var el = key && document.getElementById(key);
    return key && !(el && !el.dataset.key) && !sectionLink(key) ? key : "";
  }

  window.addEventListener("hashchange", function () {
    var key = claimInHash();
    if (key && key !== current) {
      ready.then(function () { open(key); });
    } else if (!key) {
      goToSection(keyFromHash());
    }
  });

  /* --- A text in parts ------------------------------------------------------------------ */

  var partsUrl = text.dataset.partsUrl;
  var loading = {}; // part number -> the promise of its arrival
  var topNav = document.querySelector(".part-nav-top");
  var bottomNav = document.querySelector(".part-nav-bottom");
  var partPosition = document.getElementById("part-position");

  function partElement(number) {
    return text.querySelector('.doc-part[data-part="' + number + '"]');
  }

  function shownParts() {
    return Array.prototype.map.call(text.querySelectorAll(".doc-part"), function (el) {
      return Number(el.dataset.part);
    });
  }

  /* The address of a part's page (no JavaScript needed), with the reader's filters. */
  function partPage(number) {
    var params = new URLSearchParams(location.search);
    params.delete("claim");
    params.set("part", String(number));
    return "?" + params.toString();
  }

  function partLink(number, className, words) {
    var link = document.createElement("a");
    link.className = "part-link " + className;
    link.href = partPage(number);
    link.dataset.part = String(number);
    link.rel = className === "part-next" ? "next" : "prev";
    link.textContent = words;
    return link;
  }

  /* The links and words around the text, after parts came or went. */
  function updatePartNav() {
    var shown = shownParts();
    var first = Math.min.apply(null, shown);
    var last = Math.max.apply(null, shown);
    partPosition.textContent = "A long text, in " + partCount + " parts: " +
      (first === last ? "this is part " + first : "parts " + first + " to " + last + " are shown") +
      (last < partCount ? ", and the next parts follow as you scroll" : "") +
      ". The section menu reaches every part.";
    var previous = topNav.querySelector(".part-previous");
    if (previous) {
      previous.remove();
    }
    if (first > 1) {
      topNav.appendChild(partLink(first - 1, "part-previous",
        "\u2191 Previous part (" + (first - 1) + " of " + partCount + ")"));
    }
    var end = last < partCount
      ? partLink(last + 1, "part-next", "Next part (" + (last + 1) + " of " + partCount + ") \u2193")
      : document.createElement("p");
    if (last >= partCount) {
      end.className = "part-end";
      end.textContent = "End of the text.";
    }
    bottomNav.replaceChildren(end);
  }

  /* Dim a part's claims as the filters say (the server dimmed them already for the filters
   * in the address; the reader may have changed them since). */
  function dim(root) {
    if (!matchingKeys) {
      return;
    }
    Array.prototype.forEach.call(root.querySelectorAll(".claim[data-key]"), function (el) {
      el.classList.toggle("is-dimmed", !matchingKeys.all && !matchingKeys.has(el.dataset.key));
    });
  }

  /* Put part `number` on the page: after or before the parts shown when it is next to
   * them, else in their place. Resolves once it is there. */
  function showPart(number) {
    if (partElement(number)) {
      return Promise.resolve();
    }
    if (!loading[number]) {
      loading[number] = getText(partsUrl + number + "/" + location.search, "text/html").then(
        function (html) {
          delete loading[number];
          insertPart(number, html);
        },
        function (error) {
          delete loading[number];
          throw error;
        }
      );
    }
    return loading[number];
  }

  function insertPart(number, html) {
    if (partElement(number)) {
      return; // it came another way meanwhile
    }
    var holder = document.createElement("template");
    holder.innerHTML = html; // the server's own escaped fragment
    var part = holder.content.querySelector(".doc-part");
    var shown = shownParts();
    if (number === Math.max.apply(null, shown) + 1) {
      text.appendChild(part);
    } else if (number === Math.min.apply(null, shown) - 1) {
      // Keep what the reader is looking at where it is, above the part added.
      var anchor = text.firstElementChild;
      var before = anchor.getBoundingClientRect().top;
      text.insertBefore(part, anchor);
      window.scrollBy(0, anchor.getBoundingClientRect().top - before);
    } else {
      text.replaceChildren(part);
      spans = {};
      history.replaceState(null, "", partPage(number) + location.hash);
    }
    addSpans(part);
    dim(part);
    updatePartNav();
  }

  function loadNextPart() {
    var last = Math.max.apply(null, shownParts());
    if (last >= partCount || loading[last + 1]) {
      return;
    }
    showPart(last + 1).then(function () {
      // A short part may leave the end in view: keep going while it is.
      if (bottomNav.getBoundingClientRect().top < window.innerHeight + 1200) {
        loadNextPart();
      }
    }, function () {}); // the "Next part" link is still there to follow
  }

  /* The section menu's entry for #section-n, in a text in parts. */
  function sectionLink(id) {
    if (!inParts || !id) {
      return null;
    }
    return document.querySelector('.section-menu a[data-part][href$="#' + CSS.escape(id) + '"]');
  }

  /* Bring section `id` (or, with no id, the start of part `number`) into view. */
  function goTo(number, id) {
    return showPart(number).then(function () {
      var target = id ? document.getElementById(id) : partElement(number);
      if (target) {
        target.scrollIntoView();
      }
    });
  }

  function goToSection(id) {
    var link = sectionLink(id);
    if (link && !document.getElementById(id)) {
      goTo(Number(link.dataset.part), id);
    }
  }

  if (inParts) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-part]");
      if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      var id = link.hash ? link.hash.slice(1) : "";
      goTo(Number(link.dataset.part), id).then(function () {
        if (id) {
          history.replaceState(null, "", location.pathname + location.search + "#" + id);
        }
      }, function () {
        location.href = link.href; // the server shows that part
      });
    });
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          loadNextPart();
        }
      }, { rootMargin: "0px 0px 1200px 0px" }).observe(bottomNav);
    }
  }

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
    if (inParts) {
      return serverFound.keys !== null && serverFound.keys.has(key);
    }
    var own = textOf(key);
    return words.every(function (word) { return own.indexOf(word) !== -1; });
  }

  /* In a text in parts, the keys of the claims holding the words, found by the server. */
  var serverFound = { words: "", keys: null };

  function findOnServer(words) {
    if (!inParts || !words || serverFound.words === words) {
      return Promise.resolve();
    }
    return getText(indexUrl + "?find=" + encodeURIComponent(words), "application/json").then(
      function (body) {
        serverFound = { words: words, keys: new Set(JSON.parse(body).found) };
      }
    );
  }

  /* Apply the filters once the index (and, for words in a text in parts, the server's
   * answer) is here; at once when the text is whole, as before parts existed. */
  function refilter(updateUrl) {
    if (!inParts) {
      applyFilters(updateUrl);
      return Promise.resolve();
    }
    return ready.then(function () {
      return findOnServer(readFilters().find);
    }).then(function () {
      applyFilters(updateUrl);
    }, function (error) {
      count.textContent = "The claims could not be filtered (" + error.message + ").";
    });
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
    matchingKeys = new Set(found);
    matchingKeys.all = !active;
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
        refilter(true);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      refilter(true).then(function () {
        if (matching && matching.length) {
          open(matching[0], { updateHash: true }); // "1 of N matches"
        }
      });
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
        refilter(true);
      });
    }
    refilter(false);
    var box = document.getElementById("filters-box");
    if (box && !matching && window.matchMedia("(max-width: 40em)").matches) {
      box.open = false; // on a phone the text comes first; the filters are one tap away
    }
  }

  /* --- A #Cnnn link opens that claim (or says why it cannot) -------------------------- */

  var initial = claimInHash();
  if (initial && !inParts) {
    open(initial, { focus: false }); // the page has just loaded: leave focus where it starts
  } else if (initial) {
    ready.then(function () { open(initial, { focus: false }); });
  } else {
    goToSection(keyFromHash());
  }
})();
