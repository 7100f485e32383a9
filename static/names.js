// Suggestions as one types an agency, vendor or product name. Each box carrying data-names (the URL of its name
// look-up) gets a <datalist> the browser shows under it, keyboard and screen readers included. Without this
// script the box is a plain text field that takes a name, an alias or a slug.
(function () {
  "use strict";
  var WAIT_MS = 150;

  function enhance(input, index) {
    var list = document.createElement("datalist");
    list.id = (input.id || "name-box-" + index) + "-suggestions";
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("list", list.id);
    var timer = null;
    var asked = "";
    var controller = null;

    function show(results) {
      list.replaceChildren();
      results.forEach(function (result) {
        var option = document.createElement("option");
        option.value = result.value;
        if (result.alias) {
          option.label = "also called " + result.alias;
        }
        list.appendChild(option);
      });
    }

    function ask() {
      var text = input.value.trim();
      if (!text || text === asked) {
        return;
      }
      asked = text;
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      var url = input.dataset.names + "?q=" + encodeURIComponent(text);
      fetch(url, { headers: { Accept: "application/json" }, signal: controller.signal })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (data) {
          show(data.results || []);
        })
        .catch(function () {
          // A look-up cut short by the next keystroke, or offline: the box still takes what is typed.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, WAIT_MS);
    });
  }

  document.querySelectorAll("input[data-names]").forEach(enhance);
})();
