// The anti-robot check, framed by the widget: Cloudflare Turnstile rendered with the edge's
// site key, its token sent to the framing page (the origin the widget named in ?parent=, which
// the edge's frame-ancestors limit to the campaign's sites). The widget asks for a new token
// once the edge has used one.
(function () {
  var params = new URLSearchParams(location.search);
  var parent = params.get("parent");
  var locale = /^[a-z]{2}(-[a-z]{2})?$/i.test(params.get("locale") || "") ? params.get("locale") : "auto";
  var host = document.getElementById("challenge");
  var widget;

  function tell(token) {
    if (parent && window.parent !== window) {
      window.parent.postMessage({ tirelire: "challenge", token: token }, parent);
    }
  }

  window.tirelireChallengeReady = function () {
    widget = window.turnstile.render(host, {
      sitekey: host.getAttribute("data-site-key"),
      action: "checkout",
      language: locale,
      size: "flexible",
      callback: function (token) {
        tell(token);
      },
      "expired-callback": function () {
        tell(null);
      },
      "error-callback": function () {
        tell(null);
      },
    });
  };

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.source === window.parent && event.origin === parent && data && data.tirelire === "challenge-reset" && widget !== undefined) {
      window.turnstile.reset(widget);
    }
  });

  var script = document.createElement("script");
  script.src = host.getAttribute("data-script") + "?render=explicit&onload=tirelireChallengeReady";
  script.async = true;
  document.head.appendChild(script);
})();
