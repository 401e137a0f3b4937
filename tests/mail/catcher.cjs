// The mail catcher of the demo and the tests: a real SMTP server (nodemailer's smtp-server)
// that keeps every message it accepts in memory, parsed by mailparser, and shows them on a
// web page. Nothing leaves the machine.
//
//   node catcher.cjs '{"smtpPort":0,"httpPort":0,"starttls":true,"auth":{"user":"u","pass":"p"},
//                      "authMethods":["LOGIN"]}'
//
// Once both ports listen it prints one JSON line: {"smtp":PORT,"http":PORT}.
//
// HTTP:
//   GET    /                     the page: every message, newest first
//   GET    /messages[?to=ADDR]   the messages as JSON (envelope, headers, text, html, raw)
//   GET    /messages/ID.html     one message's HTML part, under a CSP that runs nothing
//   POST   /faults               {"recipient":ADDR,"code":451,"message":"..."}: RCPT TO for ADDR
//                                gets that reply until the fault is removed
//   DELETE /faults?recipient=ADDR
"use strict";

const http = require("node:http");
const path = require("node:path");

const modules = process.env.TIRELIRE_NODE_MODULES;
if (!modules) {
  console.error("TIRELIRE_NODE_MODULES must name the folder holding smtp-server and mailparser");
  process.exit(2);
}
const { SMTPServer } = require(path.join(modules, "smtp-server"));
const { simpleParser } = require(path.join(modules, "mailparser"));

const options = JSON.parse(process.argv[2] || "{}");
const messages = [];
const faults = new Map();

const smtp = new SMTPServer({
  name: "catcher.tirelire.test",
  banner: "Tirelire mail catcher",
  secure: Boolean(options.implicitTls),
  // smtp-server brings its own self-signed certificate for tests; clients here accept it.
  hideSTARTTLS: !options.starttls,
  authOptional: !options.auth,
  authMethods: options.authMethods || ["PLAIN", "LOGIN"],
  allowInsecureAuth: !options.starttls,
  size: 10 * 1024 * 1024,
  logger: false,
  onAuth(auth, _session, callback) {
    const ok = options.auth && auth.username === options.auth.user && auth.password === options.auth.pass;
    if (ok) return callback(null, { user: auth.username });
    const error = new Error("Authentication credentials invalid");
    error.responseCode = 535;
    callback(error);
  },
  onRcptTo(address, _session, callback) {
    const fault = faults.get(address.address.toLowerCase());
    if (!fault) return callback();
    const error = new Error(fault.message || "Try again later");
    error.responseCode = fault.code;
    callback(error);
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on("data", (chunk) => chunks.push(chunk));
    stream.on("end", async () => {
      const raw = Buffer.concat(chunks);
      try {
        const parsed = await simpleParser(raw);
        messages.push({
          id: messages.length + 1,
          receivedAt: new Date().toISOString(),
          // ESMTP, with S once TLS is on and A once logged in (RFC 3848).
          transmission: session.transmissionType,
          user: session.user || null,
          envelope: {
            from: session.envelope.mailFrom && session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          },
          subject: parsed.subject || "",
          from: parsed.from ? parsed.from.value : [],
          to: parsed.to ? parsed.to.value : [],
          replyTo: parsed.replyTo ? parsed.replyTo.value : [],
          messageId: parsed.messageId || null,
          date: parsed.date ? parsed.date.toISOString() : null,
          text: parsed.text || "",
          html: typeof parsed.html === "string" ? parsed.html : "",
          raw: raw.toString("utf8"),
        });
        callback();
      } catch (error) {
        callback(error);
      }
    });
  },
});
smtp.on("error", (error) => console.error("smtp:", error.message));

function send(response, status, type, body, extra = {}) {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store", ...extra });
  response.end(body);
}

function readJson(request) {
  return new Promise((resolve, reject) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      try {
        resolve(JSON.parse(body || "{}"));
      } catch (error) {
        reject(error);
      }
    });
  });
}

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function page() {
  const rows = messages
    .slice()
    .reverse()
    .map((m) => {
      const to = m.envelope.to.join(", ");
      return `<article><h2>${escape(m.subject)}</h2>
<p class="meta">To ${escape(to)} · from ${escape(m.envelope.from)} · ${escape(m.receivedAt)} · ${escape(m.messageId || "")}</p>
<details open><summary>HTML</summary><iframe sandbox src="/messages/${m.id}.html" title="${escape(m.subject)}"></iframe></details>
<details><summary>Text</summary><pre>${escape(m.text)}</pre></details>
<details><summary>Source</summary><pre>${escape(m.raw)}</pre></details></article>`;
    })
    .join("\n");
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Tirelire · mail catcher</title>
<meta http-equiv="refresh" content="5">
<style>body{font-family:sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}article{border:1px solid #ccc;border-radius:6px;padding:0 1rem 1rem;margin:1rem 0}
.meta{color:#555;font-size:.9rem}iframe{width:100%;height:22rem;border:1px solid #ddd}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}</style></head>
<body><h1>Mail sent by the demo edge</h1><p>${messages.length} message(s). Nothing here left this machine. The page refreshes every 5 seconds.</p>
${rows || "<p>No mail yet: make a donation on the demo page.</p>"}</body></html>`;
}

const web = http.createServer(async (request, response) => {
  const url = new URL(request.url, "http://catcher");
  try {
    if (request.method === "GET" && url.pathname === "/") {
      return send(response, 200, "text/html; charset=utf-8", page(), {
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'",
      });
    }
    if (request.method === "GET" && url.pathname === "/messages") {
      const to = (url.searchParams.get("to") || "").toLowerCase();
      const list = to ? messages.filter((m) => m.envelope.to.some((a) => a.toLowerCase() === to)) : messages;
      return send(response, 200, "application/json", JSON.stringify(list));
    }
    const one = url.pathname.match(/^\/messages\/(\d+)\.html$/);
    if (request.method === "GET" && one) {
      const message = messages[Number(one[1]) - 1];
      if (!message) return send(response, 404, "text/plain", "no such message");
      return send(response, 200, "text/html; charset=utf-8", message.html, {
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      });
    }
    if (request.method === "POST" && url.pathname === "/faults") {
      const fault = await readJson(request);
      faults.set(String(fault.recipient).toLowerCase(), { code: Number(fault.code), message: fault.message });
      return send(response, 204, "text/plain", "");
    }
    if (request.method === "DELETE" && url.pathname === "/faults") {
      faults.delete((url.searchParams.get("recipient") || "").toLowerCase());
      return send(response, 204, "text/plain", "");
    }
    send(response, 404, "text/plain", "not found");
  } catch (error) {
    send(response, 400, "text/plain", String(error.message));
  }
});

const host = "127.0.0.1";
smtp.listen(options.smtpPort || 0, host, () => {
  web.listen(options.httpPort || 0, host, () => {
    console.log(JSON.stringify({ smtp: smtp.server.address().port, http: web.address().port }));
  });
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    smtp.close(() => {});
    web.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
