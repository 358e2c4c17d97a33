/// The UI's one script, served from `/ui/static/app.js`: search-as-you-type over `/ui/search.json`, and on the lookup
/// form a change of service reloads the form with that service's key fields.
/// Results are added with `textContent`, never `innerHTML`, so a name holding markup stays text. Every page works
/// without it (the search box is a plain GET form).
enum Script {
    static let javascript = """
    "use strict";
    (function () {
      var service = document.getElementById("service");
      if (service && service.form) {
        service.addEventListener("change", function () {
          Array.prototype.forEach.call(service.form.querySelectorAll(".key-input"), function (k) { k.disabled = true; });
          service.form.submit();
        });
      }
      var input = document.getElementById("q");
      var list = document.getElementById("suggest");
      if (!input || !list || !window.fetch) { return; }
      var timer = null, last = "";
      function clear() { while (list.firstChild) { list.removeChild(list.firstChild); } }
      function show(results) {
        clear();
        results.forEach(function (r) {
          var li = document.createElement("li"), a = document.createElement("a");
          a.href = r.url;
          a.textContent = r.label + "  \\u00b7  " + r.kind;
          li.appendChild(a);
          list.appendChild(li);
        });
      }
      input.addEventListener("input", function () {
        var q = input.value.trim();
        if (timer) { clearTimeout(timer); }
        if (q === "") { clear(); last = ""; return; }
        timer = setTimeout(function () {
          if (q === last) { return; }
          last = q;
          fetch("/ui/search.json?q=" + encodeURIComponent(q), {credentials: "same-origin"})
            .then(function (r) { return r.ok ? r.json() : {results: []}; })
            .then(function (body) { if (input.value.trim() === q) { show(body.results || []); } })
            .catch(function () { clear(); });
        }, 120);
      });
      document.addEventListener("click", function (e) { if (e.target !== input) { clear(); } });
    })();
    """
}
