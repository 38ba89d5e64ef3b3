/* Miarka: name suggestions for search fields (progressive enhancement; forms work without it). */
(function () {
  "use strict";
  var fields = document.querySelectorAll("input[data-suggest]");
  Array.prototype.forEach.call(fields, function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var last = "";
    if (!list || !window.fetch) { return; }
    input.addEventListener("input", function () {
      var q = input.value.trim();
      clearTimeout(timer);
      if (q.length < 2 || q === last) { return; }
      timer = setTimeout(function () {
        last = q;
        var url = input.getAttribute("data-suggest") + "?limit=10&q=" + encodeURIComponent(q);
        fetch(url, { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (page) {
            list.textContent = "";
            (page.items || []).forEach(function (unit) {
              if (unit.level === "gmina_part") { return; }
              var option = document.createElement("option");
              option.value = unit.name;
              option.textContent = unit.kind_label + ", TERYT " + unit.teryt;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are optional */ });
      }, 200);
    });
  });
})();
