// The edge's own donation page, for sites where the widget cannot run inline, opened in a tab
// or framed by the loader: it reads the campaign, language, colour and theme from the address
// (?campaign=…&locale=…&color=…&theme=…) and starts the widget as a snippet would. The loader knows it is on this page (the host carries
// data-tirelire-hosted), so it never frames the page inside itself.
(function () {
  var params = new URLSearchParams(location.search);
  var host = document.getElementById("tirelire-form");
  var locale = /^[a-z]{2}$/.test(params.get("locale") || "") ? params.get("locale") : "fr";
  document.documentElement.lang = locale;
  host.setAttribute("data-tirelire-campaign", params.get("campaign") || "");
  host.setAttribute("data-tirelire-locale", locale);
  host.setAttribute("data-tirelire-hosted", "");
  // The framing page's colour and theme; the loader checks the colour as on any page.
  ["color", "theme"].forEach(function (name) {
    if (params.get(name)) {
      host.setAttribute("data-tirelire-" + name, params.get(name));
    }
  });
  // Framed by a page that cannot run the form itself: payment opens in the whole window and
  // comes back to that page, and the frame tells it how tall it is.
  if (window.parent !== window && params.get("return_to")) {
    host.setAttribute("data-tirelire-return-to", params.get("return_to"));
    document.documentElement.classList.add("framed");
    var report = function () {
      var height = document.documentElement.getBoundingClientRect().height;
      window.parent.postMessage({ tirelire: "height", height: height }, "*");
    };
    if (window.ResizeObserver) {
      new ResizeObserver(report).observe(document.documentElement);
    }
    window.addEventListener("load", report);
  }
  var loader = document.createElement("script");
  loader.src = "tirelire.js";
  loader.async = true;
  document.body.appendChild(loader);
})();
