/*
 * The search page (/practitioners/), enhanced. Without JavaScript every part already works: the
 * filters are a <details> disclosure ("Filters (n active)"), the sort has its own button, chips and
 * page links load whole pages, and the server drops blank parameters from the address.
 * With htmx (loaded before this file) this script:
 *   - opens the filters disclosure on wide screens (phones keep the results first);
 *   - hides the sort's own button (changing the select updates the results);
 *   - after a live update keeps focus where the person was: on the same control if it is still on
 *     the page (same id), else on the results heading (#result-count, tabindex=-1), never on <body>.
 * The response itself renews the H1, "Filters (n active)", the live region (#search-status) and the
 * title (see templates/practitioners/includes/search_fragment.html). No inline script or style (CSP).
 */
(function () {
  "use strict";

  if (!window.htmx) return;
  document.documentElement.classList.add("htmx-enhanced");

  var WIDE = "(min-width: 50rem)"; // the width at which static/css/site.css puts the filters beside the results
  var focusedId = null;

  function openFiltersOnWideScreens() {
    var disclosure = document.getElementById("filters-disclosure");
    if (disclosure && window.matchMedia && window.matchMedia(WIDE).matches) disclosure.open = true;
  }

  function lostFocus() {
    var active = document.activeElement;
    return !active || active === document.body || !document.documentElement.contains(active);
  }

  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    focusedId = active && active !== document.body ? active.id || null : null;
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (!lostFocus()) return;
    var again = focusedId && document.getElementById(focusedId);
    var target = again || document.getElementById("result-count");
    if (target) target.focus();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openFiltersOnWideScreens);
  } else {
    openFiltersOnWideScreens();
  }
})();
