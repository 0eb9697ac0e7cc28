/*
 * Kefu web chat widget. Embed with:
 *   <script src="https://kefu.example.com/widget.js" data-title="在线客服" async></script>
 * Options (data- attributes): title, lang ("zh-CN" | "en"), open ("true" to start open).
 *
 * It keeps a signed visitor token in localStorage, talks to the appliance over
 * a WebSocket, reconnects with backoff and resumes from the last message id it
 * holds (nothing missed, nothing twice), and re-sends unacknowledged messages
 * after a reconnect: the server stores each message id once.
 */
(function () {
  "use strict";
  if (window.KefuWidget) return;

  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName("script");
    for (var i = all.length - 1; i >= 0; i--) if (/widget\.js(\?|$)/.test(all[i].src)) return all[i];
    return null;
  })();
  var base = script ? new URL(script.src, location.href).origin : location.origin;
  var opts = (script && script.dataset) || {};
  var lang = opts.lang === "en" ? "en" : "zh-CN";
  var T = {
    "zh-CN": { title: "在线客服", placeholder: "请输入您的问题…", send: "发送", connecting: "正在连接…",
      online: "在线", reconnecting: "连接已断开，正在重连…", failed: "发送失败", open: "咨询客服", close: "关闭",
      agent: "人工客服", bot: "智能客服", system: "系统消息", typing: "客服正在输入…", rate: "请评分", rated: "感谢您的评价",
      stars: ["非常不满意", "不满意", "一般", "满意", "非常满意"] },
    en: { title: "Customer service", placeholder: "Type your question…", send: "Send", connecting: "Connecting…",
      online: "Online", reconnecting: "Disconnected, reconnecting…", failed: "Not sent", open: "Chat with us", close: "Close",
      agent: "Agent", bot: "Assistant", system: "Notice", typing: "The agent is typing…", rate: "Rate us", rated: "Thanks for your rating",
      stars: ["Very dissatisfied", "Dissatisfied", "OK", "Satisfied", "Very satisfied"] }
  }[lang];
  var title = opts.title || T.title;
  var KEY = "kefu.widget.";

  function store(k, v) { try { if (v === undefined) return localStorage.getItem(KEY + k); localStorage.setItem(KEY + k, v); } catch (e) { return null; } }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "m-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  // ---- DOM (inside a shadow root so the host page's CSS cannot break it) ----
  var host = document.createElement("div");
  host.id = "kefu-widget";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.innerHTML =
    '<style>' +
    ':host{all:initial}' +
    '.k-btn{position:fixed;right:24px;bottom:24px;z-index:2147483000;background:#1677ff;color:#fff;border:0;border-radius:24px;padding:12px 20px;font:14px/1.2 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;box-shadow:0 4px 12px rgba(0,0,0,.2);cursor:pointer}' +
    '.k-panel{position:fixed;right:24px;bottom:24px;z-index:2147483001;width:360px;max-width:calc(100vw - 32px);height:520px;max-height:calc(100vh - 48px);background:#fff;border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.22);display:none;flex-direction:column;overflow:hidden;font:14px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329}' +
    '.k-panel.open{display:flex}' +
    '.k-head{background:#1677ff;color:#fff;padding:12px 16px;display:flex;align-items:center;justify-content:space-between}' +
    '.k-head b{font-size:15px}.k-status{font-size:12px;opacity:.85;margin-left:8px}' +
    '.k-x{background:none;border:0;color:#fff;font-size:20px;cursor:pointer;line-height:1}' +
    '.k-list{flex:1;overflow-y:auto;padding:12px;background:#f5f6f7}' +
    '.k-row{display:flex;margin:8px 0}.k-row.customer{justify-content:flex-end}' +
    '.k-bubble{max-width:78%;padding:8px 12px;border-radius:10px;background:#fff;white-space:pre-wrap;word-break:break-word;box-shadow:0 1px 1px rgba(0,0,0,.04)}' +
    '.k-row.customer .k-bubble{background:#1677ff;color:#fff}' +
    '.k-row.system .k-bubble{background:transparent;color:#8f959e;font-size:12px;box-shadow:none;margin:0 auto;text-align:center}' +
    '.k-who{font-size:11px;color:#8f959e;margin-bottom:2px}' +
    '.k-row.pending .k-bubble{opacity:.6}.k-row.failed .k-bubble{background:#ffece8;color:#cb2634}' +
    '.k-csat{display:flex;gap:4px;justify-content:center;margin:4px 0 8px}' +
    '.k-star{background:#fff;border:1px solid #d0d3d6;border-radius:6px;padding:2px 8px;cursor:pointer;font:inherit;color:#f7ba1e}' +
    '.k-star:hover{background:#fff7e6}.k-csat-done{text-align:center;color:#8f959e;font-size:12px;margin:4px 0 8px}' +
    '.k-typing{font-size:12px;color:#8f959e;padding:0 12px 4px;background:#f5f6f7;min-height:16px}' +
    '.k-form{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e6eb;background:#fff}' +
    '.k-input{flex:1;resize:none;border:1px solid #d0d3d6;border-radius:8px;padding:8px;font:inherit;height:38px;box-sizing:border-box}' +
    '.k-send{background:#1677ff;color:#fff;border:0;border-radius:8px;padding:0 16px;cursor:pointer;font:inherit}' +
    '</style>' +
    '<button class="k-btn" data-testid="kefu-open" type="button"></button>' +
    '<section class="k-panel" role="dialog" aria-label="chat">' +
    '  <div class="k-head"><div><b class="k-title"></b><span class="k-status" data-testid="kefu-status"></span></div>' +
    '  <button class="k-x" type="button" data-testid="kefu-close">×</button></div>' +
    '  <div class="k-list" data-testid="kefu-messages" aria-live="polite"></div>' +
    '  <div class="k-typing" data-testid="kefu-typing"></div>' +
    '  <form class="k-form"><textarea class="k-input" data-testid="kefu-input" rows="1"></textarea>' +
    '  <button class="k-send" type="submit" data-testid="kefu-send"></button></form>' +
    '</section>';
  var $ = function (sel) { return root.querySelector(sel); };
  var btn = $(".k-btn"), panel = $(".k-panel"), list = $(".k-list"), input = $(".k-input"), statusEl = $(".k-status"), typingEl = $(".k-typing");
  btn.textContent = T.open;
  $(".k-title").textContent = title;
  $(".k-send").textContent = T.send;
  $(".k-x").setAttribute("aria-label", T.close);
  input.placeholder = T.placeholder;

  // ---- state ----
  var token = store("token") || "";
  var lastId = 0;                 // highest server message id shown
  var rows = {};                  // server id -> row element
  var pending = {};               // client message id -> {text, row}
  var ws = null, backoff = 1000, greeted = false;
  try { pending = JSON.parse(store("outbox") || "{}"); } catch (e) { pending = {}; }
  var outbox = {}; // client id -> text (persisted so a reload re-sends)
  Object.keys(pending).forEach(function (k) { outbox[k] = pending[k].text || pending[k]; });
  pending = {};

  function saveOutbox() { store("outbox", JSON.stringify(Object.keys(outbox).reduce(function (o, k) { o[k] = { text: outbox[k] }; return o; }, {}))); }
  function setStatus(s) { statusEl.textContent = s; }
  function scroll() { list.scrollTop = list.scrollHeight; }

  function row(from, text, extra) {
    var r = document.createElement("div");
    r.className = "k-row " + from + (extra ? " " + extra : "");
    var b = document.createElement("div");
    b.className = "k-bubble";
    if (from === "agent" || from === "bot") {
      var who = document.createElement("div");
      who.className = "k-who";
      who.textContent = T[from];
      b.appendChild(who);
    }
    var t = document.createElement("span");
    t.textContent = text; // text only: never interpreted as HTML
    b.appendChild(t);
    r.appendChild(b);
    r.setAttribute("data-from", from);
    return r;
  }

  // insert keeps rows ordered by server id; pending rows stay at the end.
  function insert(r, id) {
    r.dataset.id = id || "";
    var kids = list.children;
    if (id) {
      for (var i = 0; i < kids.length; i++) {
        var kid = Number(kids[i].dataset.id || 0);
        if ((!kid && !kids[i].dataset.fixed) || kid > id) { list.insertBefore(r, kids[i]); scroll(); return; }
      }
    }
    list.appendChild(r);
    scroll();
  }

  // ---- satisfaction survey: buttons under the survey message ----
  var rated = {}; // conversation id -> true once rated (here or on another device)
  var surveys = {}; // conversation id -> buttons element
  function surveyOf(m, key) { return m.payload && m.payload[key] && m.payload[key].conversation_id; }

  function markRated(conv) {
    rated[conv] = true;
    var box = surveys[conv];
    if (box) { box.className = "k-csat-done"; box.textContent = T.rated; }
  }

  function survey(r, conv) {
    var box = document.createElement("div");
    box.className = "k-csat";
    box.setAttribute("data-testid", "kefu-csat");
    for (var n = 1; n <= 5; n++) (function (n) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "k-star";
      b.textContent = "★" + n;
      b.title = T.stars[n - 1];
      b.setAttribute("data-testid", "kefu-csat-" + n);
      b.addEventListener("click", function () { rate(conv, n); });
      box.appendChild(b);
    })(n);
    surveys[conv] = box;
    r.appendChild(box);
    if (rated[conv]) markRated(conv);
  }

  function rate(conv, score) {
    fetch(base + "/api/v1/widget/csat", { method: "POST", headers: { "Content-Type": "application/json", "X-Widget-Token": token },
      body: JSON.stringify({ conversation_id: conv, score: score }) })
      .then(function (r) { if (r.ok || r.status === 409) markRated(conv); });
  }

  function show(m) {
    if (rows[m.id]) return;
    var done = surveyOf(m, "csat_result");
    if (done) markRated(done);
    if (m.from === "customer" && m.client_id && pending[m.client_id]) {
      var p = pending[m.client_id];
      delete pending[m.client_id];
      delete outbox[m.client_id];
      saveOutbox();
      p.row.classList.remove("pending");
      p.row.parentNode && p.row.parentNode.removeChild(p.row);
      insert(p.row, m.id);
      rows[m.id] = p.row;
    } else {
      var r = row(m.from, m.text);
      var ask = surveyOf(m, "csat");
      if (ask) { r.style.flexDirection = "column"; survey(r, ask); }
      rows[m.id] = r;
      insert(r, m.id);
    }
    if (m.id > lastId) lastId = m.id;
  }

  function sendFrame(id, text) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify({ type: "send", message_id: id, text: text }));
  }

  function send(text) {
    text = (text || "").trim();
    if (!text) return;
    var id = uuid();
    var r = row("customer", text, "pending");
    r.setAttribute("data-client-id", id);
    insert(r, 0);
    pending[id] = { text: text, row: r };
    outbox[id] = text;
    saveOutbox();
    sendFrame(id, text);
  }

  function flush() {
    Object.keys(outbox).forEach(function (id) {
      if (!pending[id]) {
        var r = row("customer", outbox[id], "pending");
        insert(r, 0);
        pending[id] = { text: outbox[id], row: r };
      }
      sendFrame(id, outbox[id]);
    });
  }

  function connect() {
    setStatus(lastId || greeted ? T.reconnecting : T.connecting);
    fetch(base + "/api/v1/widget/session", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token: token }) })
      .then(function (r) { if (!r.ok) throw new Error("session " + r.status); return r.json(); })
      .then(function (s) {
        token = s.token;
        store("token", token);
        if (!greeted && s.greeting) {
          greeted = true;
          var g = row("bot", s.greeting, "greeting");
          g.dataset.fixed = "1";
          list.insertBefore(g, list.firstChild);
        }
        var url = base.replace(/^http/, "ws") + "/api/v1/widget/ws?token=" + encodeURIComponent(token) + "&after=" + lastId;
        ws = new WebSocket(url);
        ws.onopen = function () { backoff = 1000; setStatus(T.online); flush(); };
        ws.onmessage = function (ev) {
          var f;
          try { f = JSON.parse(ev.data); } catch (e) { return; }
          if (f.type === "message" && f.message) { show(f.message); if (f.message.from === "agent") typingEl.textContent = ""; }
          else if (f.type === "typing") showTyping();
          else if (f.type === "error" && f.message_id && pending[f.message_id]) {
            pending[f.message_id].row.classList.add("failed");
            pending[f.message_id].row.title = T.failed + ": " + (f.error || f.code);
            delete outbox[f.message_id];
            saveOutbox();
          }
        };
        ws.onclose = function () { ws = null; retry(); };
        ws.onerror = function () { try { ws && ws.close(); } catch (e) {} };
      })
      .catch(retry);
  }

  var retrying = false;
  function retry() {
    if (retrying) return;
    retrying = true;
    setStatus(T.reconnecting);
    setTimeout(function () { retrying = false; connect(); }, backoff);
    backoff = Math.min(backoff * 2, 15000);
  }

  // ---- typing, both ways ----
  var typingTimer = null, lastTyping = 0;
  function showTyping() {
    typingEl.textContent = T.typing;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingEl.textContent = ""; }, 4000);
  }
  function typed() {
    var now = Date.now();
    if (!token || now - lastTyping < 3000 || !input.value.trim()) return;
    lastTyping = now;
    fetch(base + "/api/v1/widget/typing", { method: "POST", headers: { "X-Widget-Token": token } }).catch(function () {});
  }

  function open() { panel.classList.add("open"); btn.style.display = "none"; input.focus(); }
  function close() { panel.classList.remove("open"); btn.style.display = ""; }

  btn.addEventListener("click", open);
  $(".k-x").addEventListener("click", close);
  $(".k-form").addEventListener("submit", function (e) { e.preventDefault(); send(input.value); input.value = ""; });
  input.addEventListener("input", typed);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(input.value); input.value = ""; }
  });

  function start() {
    document.body.appendChild(host);
    if (opts.open === "true") open();
    connect();
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);

  window.KefuWidget = {
    open: open, close: close, send: send,
    // For tests: drop the socket to exercise reconnect-and-resume.
    _disconnect: function () { if (ws) ws.close(); },
    _lastId: function () { return lastId; }
  };
})();
