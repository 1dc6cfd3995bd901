/*
 * Claims table: on a phone the facets start folded so that the results come first (they
 * are one tap away); without this script they stay open. Plain ES2017, nothing fetched.
 */
(function () {
  "use strict";
  var box = document.getElementById("facets-box");
  if (box && window.matchMedia("(max-width: 63.99em)").matches) {
    box.open = false;
  }
})();
