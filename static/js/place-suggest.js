/*
 * City suggestions for a location input: the WAI-ARIA combobox pattern (list autocomplete),
 * https://www.w3.org/WAI/ARIA/apg/patterns/combobox/ . Without JavaScript the input is a plain
 * text field; this script adds the roles, the listbox and the keys:
 *   typing (2+ letters)  suggestions from data-suggest-url (?q=…, JSON list of "City, ST")
 *   Down / Up            open the list and move through it (Alt+Down opens without moving)
 *   Enter                take the highlighted city (then the form's change event runs the search)
 *   Escape               close the list (a second Escape clears the text, as the pattern suggests)
 *   Tab, click away      close the list and keep what was typed
 * With data-geolocate, a "Use my location" button fills in the browser's position (rounded).
 * No inline script or style (the CSP has none): positions come from static/css/site.css.
 * Inputs swapped in by htmx are set up on htmx:load.
 */
(function () {
  "use strict";

  var DELAY_MS = 120;
  var MIN_LETTERS = 2;
  var counter = 0;

  function setup(input) {
    if (input.dataset.placeSuggestReady) return;
    input.dataset.placeSuggestReady = "1";
    counter += 1;
    var listId = (input.id || "place-input-" + counter) + "-suggestions";
    var wrapper = document.createElement("div");
    wrapper.className = "place-suggest";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "place-suggest-list";
    list.setAttribute("role", "listbox");
    // Not labelled by the input's label: the listbox is "Matching cities", the box keeps its own name.
    list.setAttribute("aria-label", "Matching cities");
    list.hidden = true;
    wrapper.appendChild(list);

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    if ("geolocate" in input.dataset && navigator.geolocation) addLocateButton(input, wrapper);

    var url = input.dataset.suggestUrl;
    var timer = null;
    var controller = null;
    var active = -1;
    var labels = [];

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!labels.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      for (var i = 0; i < all.length; i += 1) {
        all[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var all = options();
      if (index < 0 || index >= all.length) return;
      input.value = all[index].textContent;
      close();
      status.textContent = "";
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(found) {
      labels = found;
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      found.forEach(function (text, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.className = "place-suggest-option";
        option.textContent = text;
        list.appendChild(option);
      });
      status.textContent = found.length
        ? found.length + (found.length === 1 ? " suggestion" : " suggestions") + ", use the down arrow to choose"
        : "";
      if (found.length && document.activeElement === input) open();
      else close();
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query.replace(/[^A-Za-z]/g, "").length < MIN_LETTERS || /^\d/.test(query)) {
        render([]);
        return;
      }
      if (controller) controller.abort();
      controller = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (found) {
          if (input.value.trim() === query) render(Array.isArray(found) ? found : []);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") render([]);
        });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        open();
        if (!event.altKey && labels.length) highlight(expanded ? active + 1 : 0);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        open();
        if (labels.length) highlight(expanded ? active - 1 : labels.length - 1);
      } else if (event.key === "Enter") {
        if (expanded && active >= 0) {
          event.preventDefault();
          choose(active);
        } else {
          close();
        }
      } else if (event.key === "Escape") {
        if (expanded) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          render([]);
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", close);

    // mousedown, not click: keep focus in the input so blur does not close the list first.
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (!option) return;
      event.preventDefault();
      var all = Array.prototype.indexOf.call(options(), option);
      choose(all);
    });
  }

  // "Use my location": the browser's position, rounded to 2 decimals (about 1 km), goes into the
  // location box as "lat, lng" and from there into the search address; nothing is stored.
  function addLocateButton(input, wrapper) {
    var row = document.createElement("p");
    row.className = "place-locate";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = "Use my location";
    var message = document.createElement("span");
    message.className = "place-locate-status";
    message.setAttribute("role", "status");
    row.appendChild(button);
    row.appendChild(message);
    wrapper.parentNode.insertBefore(row, wrapper.nextSibling);
    button.addEventListener("click", function () {
      message.textContent = "Finding your location…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          input.value = position.coords.latitude.toFixed(2) + ", " + position.coords.longitude.toFixed(2);
          message.textContent = "Searching near your location.";
          input.dispatchEvent(new Event("change", { bubbles: true }));
        },
        function () {
          message.textContent = "Your browser did not share a location; type a ZIP code or a city instead.";
        },
        { timeout: 10000, maximumAge: 600000 }
      );
    });
  }

  function setupWithin(root) {
    var inputs = (root || document).querySelectorAll("input[data-suggest-url]");
    for (var i = 0; i < inputs.length; i += 1) setup(inputs[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      setupWithin(document);
    });
  } else {
    setupWithin(document);
  }
  document.addEventListener("htmx:load", function (event) {
    setupWithin(event.target.parentNode || document);
  });
})();
