// Suggests the town of an address from its postcode. On a form with the
// inputs #f-postcode and #f-town, when the postcode becomes a Finnish
// postcode (five digits) and the town is empty, it asks the association's
// postcode table (GET /a/{aid}/postcodes/{code}) and fills the town. A town
// the person typed is never replaced; one this script filled is replaced
// when the postcode changes. Without JavaScript, saving the form fills an
// empty town the same way.
(function () {
  "use strict";
  var code = document.getElementById("f-postcode");
  var town = document.getElementById("f-town");
  var path = window.location.pathname.match(/^\/a\/([^\/]+)\//);
  if (!code || !town || !path || !window.fetch) {
    return;
  }
  var base = "/a/" + path[1] + "/postcodes/";
  var filled = "";

  function value(id) {
    var el = document.getElementById(id);
    return el ? el.value.trim() : "";
  }

  // townFree reports whether the town may be (re)filled.
  function townFree() {
    var t = town.value.trim();
    return t === "" || (filled !== "" && t === filled);
  }

  function suggest() {
    var pc = code.value.trim();
    var country = value("f-country").toUpperCase();
    if (!/^[0-9]{5}$/.test(pc) || (country !== "" && country !== "FI" && country !== "AX") || !townFree()) {
      return;
    }
    var url = base + pc;
    var lang = value("f-language");
    if (lang === "fi" || lang === "sv") {
      url += "?lang=" + lang;
    }
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (d && typeof d.town === "string" && d.town !== "" && code.value.trim() === pc && townFree()) {
          town.value = d.town;
          filled = d.town;
        }
      })
      .catch(function () { /* a suggestion only: the form works without it */ });
  }

  code.addEventListener("change", suggest);
  code.addEventListener("input", function () {
    if (/^[0-9]{5}$/.test(code.value.trim())) {
      suggest();
    }
  });
})();
