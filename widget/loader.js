// Tirelire's loader. The build wraps it, with wasm-bindgen's glue, in one function, so nothing
// is added to the page's globals. It finds every <div data-tirelire-campaign>, starts the
// WebAssembly module once, and mounts one widget in each. Where WebAssembly cannot start (a
// Content-Security-Policy without 'wasm-unsafe-eval', an old browser), each div shows a link
// to the same form on the association's edge instead.

// Only readable while this script first runs; everything else is relative to it.
var script = document.currentScript;
var scriptUrl = new URL(script ? script.src : "", document.baseURI);
var edgeOrigin = scriptUrl.origin;
var wasmUrl = new URL("__TIRELIRE_WASM__", scriptUrl);
var starting = null;

function start() {
  if (!starting) {
    starting = wasm_bindgen({ module_or_path: wasmUrl });
  }
  return starting;
}

function fallback(host, error) {
  host.setAttribute("data-tirelire-state", "fallback");
  if (window.console) {
    console.warn("Tirelire: the donation form cannot start here, showing a link instead.", error);
  }
  var lang = (host.getAttribute("data-tirelire-locale") || document.documentElement.lang || "fr").slice(0, 2);
  var english = lang.toLowerCase() === "en";
  var page = new URL("page.html", scriptUrl);
  page.searchParams.set("campaign", host.getAttribute("data-tirelire-campaign") || "");
  page.searchParams.set("locale", english ? "en" : "fr");
  var edge = host.getAttribute("data-tirelire-edge");
  if (edge) {
    page = new URL("/widget/v1/page.html" + page.search, edge);
  }
  var link = document.createElement("a");
  link.href = page.href;
  link.target = "_blank";
  link.rel = "noopener";
  link.setAttribute("data-tirelire-fallback", "");
  link.textContent = english ? "Make a donation on our secure page" : "Faire un don sur notre page sécurisée";
  host.replaceChildren(link);
}

function mountAll() {
  var hosts = document.querySelectorAll("[data-tirelire-campaign]");
  Array.prototype.forEach.call(hosts, function (host) {
    // A page may carry the snippet twice; each div is claimed once.
    if (host.hasAttribute("data-tirelire-state")) {
      return;
    }
    host.setAttribute("data-tirelire-state", "starting");
    start()
      .then(function () {
        wasm_bindgen.mount(host, edgeOrigin);
      })
      .catch(function (error) {
        fallback(host, error);
      });
  });
}

// With `async`, this may run before the parser reaches the divs.
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", mountAll);
} else {
  mountAll();
}
