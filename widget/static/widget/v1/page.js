// The edge's own donation page, for sites where the widget cannot run inline: it reads the
// campaign from the address (?campaign=…&locale=…) and starts the widget as a snippet would.
(function () {
  var params = new URLSearchParams(location.search);
  var host = document.getElementById("tirelire-form");
  var locale = params.get("locale") === "en" ? "en" : "fr";
  document.documentElement.lang = locale;
  if (locale === "en") {
    document.title = "Make a donation";
  }
  host.setAttribute("data-tirelire-campaign", params.get("campaign") || "");
  host.setAttribute("data-tirelire-locale", locale);
  var loader = document.createElement("script");
  loader.src = "tirelire.js";
  loader.async = true;
  document.body.appendChild(loader);
})();
