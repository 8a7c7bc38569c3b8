import { PAGE_CLIENT, PAGE_PHONE_SIGN_IN, PAGE_STAFF_SIGN_IN } from '@/common/page-client';
import {
  PAGE_SPINNER,
  PAGE_RESET_CSS,
  PAGE_CARD_CSS,
  PAGE_ERROR_CSS,
  PAGE_STATUS_CSS,
  PAGE_FOOTER_CSS,
} from '@/common/page-style';

/**
 * The livestream's two pages (Chinese), each one self-contained HTML document: no build step, no external
 * resources (the CSP allows inline styles and scripts only from this document, images from it and data:).
 *
 * The viewer's page (`/l/<sessionId>`): the session's offers with what is left, pushed by the public stream;
 * buying signs in by SMS code first, locks the units, and pays with the sandbox. The host's dashboard
 * (`/h/<sessionId>`): sign in, go live and end, the figures, the offers, a chart of sales per minute and the
 * report, all pushed by the stats stream (no polling).
 *
 * Both pages share the style and the client helpers below (the same as the kiosk citizen page: `api()` with
 * problem+json errors, `newKey()` for Idempotency-Key). The scripts avoid backticks and dollar-brace sequences
 * (these are template literals); the only interpolations are the shared parts.
 */

/** The style both pages share (the kiosk citizen page's look). */
const BASE_STYLE = String.raw`
${PAGE_RESET_CSS}
.wrap{max-width:480px;margin:0 auto;min-height:100vh;display:flex;flex-direction:column}
header{background:linear-gradient(135deg,#b82d24 0%,#d9482f 60%,#e8703a 100%);color:#fff;padding:20px 20px 46px;position:relative}
header .in{position:relative}
header h1{font-size:21px;font-weight:700;line-height:1.35;letter-spacing:.5px;padding-right:92px;word-break:break-all}
header p{font-size:13px;opacity:.92;margin-top:4px}
header .eyebrow{font-size:12px;opacity:.85;margin:0 0 2px;letter-spacing:1px}
.badge{position:absolute;right:0;top:2px;font-size:13px;font-weight:600;border-radius:14px;padding:2px 11px 2px 9px;background:rgba(255,255,255,.16);
  border:1px solid rgba(255,255,255,.6);display:flex;align-items:center;gap:6px;white-space:nowrap}
.badge i{width:8px;height:8px;border-radius:50%;background:#ffe0d4}
.badge.live{background:#fff;color:#c7352b;border-color:#fff}
.badge.live i{background:#e5322d;animation:blink 1.2s ease-in-out infinite}
.badge.ended{background:rgba(0,0,0,.12)}
.badge.ended i{background:rgba(255,255,255,.45)}
@keyframes blink{50%{opacity:.2}}
main{flex:1;padding:0 14px 20px;margin-top:-30px;position:relative}
${PAGE_CARD_CSS}
input{width:100%;font:inherit;font-size:18px;border:1px solid #e2d8cc;border-radius:10px;padding:12px 14px;background:#fdfbf8;color:#2b2118;outline:none}
input:focus{border-color:#d9482f;background:#fff;box-shadow:0 0 0 3px rgba(217,72,47,.12)}
.row{display:flex;gap:10px;align-items:stretch}
.row input{flex:1;min-width:0}
button{font:inherit;border:0;cursor:pointer;border-radius:12px}
button:disabled{opacity:.55;cursor:default}
.btn{display:block;width:100%;background:#d9412c;color:#fff;font-size:18px;font-weight:600;padding:14px 0;margin-top:18px;box-shadow:0 4px 10px rgba(217,65,44,.25)}
.btn:active:not(:disabled){background:#b8311f}
.btn.ghost{background:#fff;color:#b8311f;border:1px solid #e5b8ac;box-shadow:none}
.btn.plain{background:#f3ede5;color:#5c4f44;box-shadow:none;font-size:16px;font-weight:500}
.btn-side{flex:none;width:118px;background:#fff1ec;color:#c2381f;font-size:15px;font-weight:600;border:1px solid #f1c4b6;padding:0 6px}
${PAGE_ERROR_CSS}
.notice{background:#fff8e6;border:1px solid #f0d9a0;color:#7a5a12;border-radius:12px;padding:10px 14px;margin-bottom:14px;font-size:14px;box-shadow:0 4px 16px rgba(120,60,20,.06)}
${PAGE_STATUS_CSS}
.kv.total .v{font-size:22px;color:#c2381f}
${PAGE_FOOTER_CSS}
`;

/**
 * The client helpers both scripts share. Each page declares TOKEN_KEY, ERRORS, FIELDS and describe(e) (its own
 * messages, or null) before using them; function declarations are hoisted within the page's closure.
 */
const CLIENT_HELPERS =
  PAGE_CLIENT +
  String.raw`
  /** A session's status as the badge shows it: its words and its style. */
  var STATUS = { SCHEDULED: ['未开播', 'soon'], LIVE: ['直播中', 'live'], ENDED: ['已结束', 'ended'] };
  var COMMON_ERRORS = {
    'too-many-requests': '操作太频繁，请稍后再试。',
    'unauthenticated': '登录已过期，请重新登录。',
    'forbidden': '没有权限进行此操作。',
    'not-found': '未找到该直播场次，请确认链接是否正确。',
    'idempotency-key-in-progress': '请求正在处理中，请稍候。',
    'service-unavailable': '服务暂时不可用，请稍后再试。',
    'internal-error': '服务出错了，请稍后再试。',
    'request-timeout': '请求超时，请重试。',
    'network': '网络连接失败，请检查网络后重试。'
  };

  // The session id is the last segment of the page's own address (/l/<id> or /h/<id>).
  var sessionId = (function () {
    var parts = location.pathname.split('/').filter(Boolean);
    var raw = parts[parts.length - 1] || '';
    try { return decodeURIComponent(raw); } catch (e) { return raw; }
  })();
  var SESSION_PATH = '/live/sessions/' + encodeURIComponent(sessionId);

  function hhmm(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? '' : pad2(d.getHours()) + ':' + pad2(d.getMinutes());
  }
  function store(k, v) {
    try { if (v == null) sessionStorage.removeItem(k); else sessionStorage.setItem(k, v); } catch (e) { /* private mode */ }
  }
  function load(k) { try { return sessionStorage.getItem(k); } catch (e) { return null; } }

  // --- messages ---

  function message(e) {
    if (!e) return '';
    if (typeof e === 'string') return e;
    var own = describe(e);
    if (own) return own;
    if (e.code === 'too-many-requests' && e.retryAfter) return '操作太频繁，请 ' + e.retryAfter + ' 秒后再试。';
    if (e.code === 'validation-failed') {
      var f = (e.errors || []).map(function (x) { return FIELDS[String(x.field).split('.')[0]]; }).filter(Boolean);
      return f.length ? f[0] : '输入内容有误，请检查后重试。';
    }
    if (ERRORS[e.code]) return ERRORS[e.code];
    if (COMMON_ERRORS[e.code]) return COMMON_ERRORS[e.code];
    if (e.status >= 500) return COMMON_ERRORS['service-unavailable'];
    return '操作未成功：' + (e.detail || e.title || '请稍后再试。');
  }
  /** The loading card while loading; after a failure, only a retry button (or nothing to retry). */
  function loading(state) {
    $('loading-ico').hidden = state !== 'busy';
    $('loading-text').hidden = state !== 'busy';
    $('btn-retry').hidden = state !== 'retry';
  }

  // --- the API ---

  function authHeaders() {
    var token = load(TOKEN_KEY);
    return token ? { authorization: 'Bearer ' + token } : {};
  }
  /**
   * Calls the API; an error answer throws an ApiError with its problem+json code. A 401 on a signed-in call
   * forgets the token and marks the error expired, for the page to ask for signing in again.
   */
  async function api(method, path, body, headers) {
    var token = load(TOKEN_KEY);
    try {
      return await request(method, path, body, headers, token);
    } catch (err) {
      if (err.status === 401 && token && path.indexOf('/auth/') !== 0) {
        store(TOKEN_KEY, null);
        err.expired = true;
      }
      throw err;
    }
  }
`;

/** Both pages' footer: who is signed in, signing out. */
const FOOTER = String.raw`<footer>
  <span id="who" data-testid="who"></span>
  <button id="btn-logout" type="button" hidden>退出登录</button>
  <div>助农直播 · 每一份订单都助力农户增收</div>
</footer>`;

/** The viewer's page (`/l/<sessionId>`): the live offers, signing in by SMS code, buying and paying. */
export const VIEWER_PAGE = String.raw`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
<meta name="theme-color" content="#c7352b">
<title>直播间</title>
<style>${BASE_STYLE}
.status-note{background:#fff;border-radius:12px;padding:10px 14px;margin-bottom:14px;font-size:14px;color:#6b5e52;box-shadow:0 4px 16px rgba(120,60,20,.08);display:flex;gap:8px;align-items:center}
.status-note:before{content:"";flex:none;width:8px;height:8px;border-radius:50%;background:#e0a089}
.status-note.ended:before{background:#b9ada1}
.offer{background:#fff;border-radius:16px;box-shadow:0 4px 16px rgba(120,60,20,.08);padding:16px;margin-bottom:14px}
.offer-top{display:flex;gap:14px}
.thumb{flex:none;width:84px;height:84px;border-radius:14px;background:linear-gradient(135deg,#fff3df,#ffdcc4);display:flex;align-items:center;justify-content:center}
.thumb svg{width:54px;height:54px}
.offer-info{flex:1;min-width:0}
.offer-name{font-size:18px;font-weight:700;line-height:1.35;word-break:break-all}
.tags{margin-top:5px;display:flex;flex-wrap:wrap;gap:6px}
.tag{font-size:12px;border-radius:6px;padding:0 7px;line-height:20px;background:#fff1ec;color:#c2381f;border:1px solid #f6cbbd}
.tag.limit{background:#fff8e6;color:#8a6100;border-color:#f0d9a0}
.price{display:block;margin-top:6px;font-size:27px;font-weight:800;color:#d9412c;line-height:1.2;font-variant-numeric:tabular-nums}
.price small{font-size:16px;font-weight:700;margin-right:1px}
.offer-bottom{display:flex;justify-content:space-between;align-items:center;gap:10px;margin-top:14px;padding-top:12px;border-top:1px dashed #eee3d6}
.remaining{font-size:15px;font-weight:600;color:#5c4f44}
.remaining.low{color:#d9412c}
.remaining.none{color:#a99b8d}
.stepper{display:flex;align-items:center;border:1px solid #e2d8cc;border-radius:10px;overflow:hidden;background:#fdfbf8}
.stepper button{width:40px;height:38px;background:none;border-radius:0;font-size:22px;line-height:1;color:#5c4f44;display:flex;align-items:center;justify-content:center}
.stepper button svg{width:16px;height:16px}
.stepper button:disabled{opacity:1}
.stepper button:disabled svg path{stroke:#d8cec3}
.offer.closed .stepper .qty{color:#b9ada1}
.stepper .qty{min-width:46px;text-align:center;font-size:18px;font-weight:700;line-height:38px;border-left:1px solid #e2d8cc;border-right:1px solid #e2d8cc;font-variant-numeric:tabular-nums}
.btn.buy{margin-top:14px;font-size:19px;letter-spacing:2px}
.btn.buy.off{background:#c9bdb1;box-shadow:none;opacity:1}
.order{text-align:center}
.order .status-ico{background:#fff1ec}
.order[data-status="PAID"] .status-ico{background:#e3f4e8}
.order[data-status="CANCELLED"] .status-ico{background:#efebe6}
.order-title{font-size:22px;font-weight:700}
.order[data-status="PAID"] .order-title{color:#1f7a3d}
.order-msg{font-size:15px;color:#6b5e52;margin:6px 0 14px}
.order[data-status="PENDING_PAYMENT"] .order-msg{color:#9a4a00;font-weight:600;background:#fff8e6;border-radius:10px;padding:8px 10px}
.order .kv{text-align:left}
.countdown{margin-top:10px;font-size:14px;color:#8a7d70;font-variant-numeric:tabular-nums}
.countdown b{color:#c2381f}
</style>
</head>
<body>
<div class="wrap">
<header>
  <div class="in">
    <h1 id="title" data-testid="title">直播间</h1>
    <p id="host" data-testid="host"></p>
    <span id="status-badge" class="badge"><i></i><span id="status" data-testid="status">加载中</span></span>
  </div>
</header>
<main>
  <div id="error" class="error" role="alert" data-testid="error" hidden><b>!</b><span id="error-message" data-testid="error-message"></span></div>
  <div id="notice" class="notice" role="status" hidden></div>
  <div id="status-note" class="status-note" data-testid="status-note" hidden></div>

  <section id="view-loading" class="card center" data-testid="view-loading">
    <div id="loading-ico" class="status-ico">${PAGE_SPINNER}</div>
    <p id="loading-text" class="muted">加载中…</p>
    <button id="btn-retry" class="btn plain" type="button" hidden>重试</button>
  </section>

  <section id="view-login" class="card" data-testid="view-login" hidden>
    <h2>手机号登录</h2>
    <p class="muted">登录后即可抢购，首次登录自动注册。</p>
    <label for="phone">手机号</label>
    <div class="row">
      <input id="phone" data-testid="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="11" placeholder="请输入11位手机号">
      <button id="btn-otp" data-testid="btn-otp" class="btn-side" type="button">获取验证码</button>
    </div>
    <div id="code-row" hidden>
      <label for="code">验证码</label>
      <input id="code" data-testid="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6" placeholder="请输入6位验证码">
      <p id="otp-sent" class="muted small" style="margin-top:6px"></p>
    </div>
    <button id="btn-login" data-testid="btn-login" class="btn" type="button" hidden>登录</button>
    <button id="btn-login-cancel" class="btn plain" type="button" style="margin-top:10px">返回直播间</button>
  </section>

  <section id="view-order" class="card order" data-testid="view-order" hidden>
    <div id="order-ico" class="status-ico"></div>
    <div id="order-title" class="order-title" data-testid="order-title"></div>
    <p id="order-message" class="order-msg" data-testid="order-message"></p>
    <div class="kv"><span>商品</span><span id="order-item" class="v" data-testid="order-item"></span></div>
    <div class="kv total"><span>合计</span><span id="order-total" class="v" data-testid="order-total"></span></div>
    <p id="order-countdown" class="countdown" hidden></p>
    <button id="btn-pay" data-testid="btn-pay" class="btn" type="button">支付</button>
    <button id="btn-continue" data-testid="btn-continue" class="btn ghost" type="button">继续抢购</button>
  </section>

  <section id="view-offers" data-testid="view-offers" hidden>
    <div id="offers" data-testid="offers"></div>
    <div id="offers-empty" class="card center muted" hidden>本场直播暂无商品</div>
  </section>
</main>
${FOOTER}
</div>
<script>
(function () {
  'use strict';
  var TOKEN_KEY = 'live.token';
  var PHONE_KEY = 'live.phone';
${CLIENT_HELPERS}
  var ORDER_KEY = 'live.order.' + sessionId;
  var ICONS = {
    gift: '<svg viewBox="0 0 64 64"><rect x="10" y="26" width="44" height="30" rx="4" fill="#f28a3a"/><rect x="6" y="18" width="52" height="12" rx="3" fill="#e5552e"/><rect x="28" y="18" width="8" height="38" fill="#ffd36b"/><path d="M32 18c-6-10-18-10-16-2 1 4 10 3 16 2zm0 0c6-10 18-10 16-2-1 4-10 3-16 2z" fill="none" stroke="#e5552e" stroke-width="3.5" stroke-linejoin="round"/></svg>',
    minus: '<svg viewBox="0 0 16 16"><path d="M3 8h10" stroke="#5c4f44" stroke-width="2" stroke-linecap="round"/></svg>',
    plus: '<svg viewBox="0 0 16 16"><path d="M3 8h10M8 3v10" stroke="#5c4f44" stroke-width="2" stroke-linecap="round"/></svg>',
    lock: '<svg viewBox="0 0 50 50"><rect x="11" y="22" width="28" height="21" rx="4" fill="#d9412c"/><path d="M17 22v-6a8 8 0 0 1 16 0v6" fill="none" stroke="#d9412c" stroke-width="4.5"/><circle cx="25" cy="32" r="3" fill="#fff"/></svg>',
    ok: '<svg viewBox="0 0 50 50"><circle cx="25" cy="25" r="22" fill="#e3f4e8"/><path d="M14 26l8 8 15-17" fill="none" stroke="#1f8a44" stroke-width="4.5" stroke-linecap="round" stroke-linejoin="round"/></svg>',
    off: '<svg viewBox="0 0 50 50"><circle cx="25" cy="25" r="22" fill="#efebe6"/><path d="M16 25h18" stroke="#8a7d70" stroke-width="4.5" stroke-linecap="round"/></svg>'
  };
  var ERRORS = {
    'limit-exceeded': '超出每人限购数量。',
    'stock-busy': '抢购太火爆了，请稍后再试。',
    'product-not-certified': '该商品暂不能销售。',
    'invalid-code': '验证码错误或已过期，请重新输入。',
    'account-disabled': '该账号已停用，请联系客服。',
    'forbidden': '当前账号不能下单，请使用手机号登录。',
    'not-found': '未找到该商品或直播场次，请刷新页面。',
    'order-not-found': '未找到该订单。',
    'order-not-payable': '该订单已无需支付。',
    'order-expired': '订单已超过支付时间，锁定的商品已释放，请重新抢购。',
    'payment-provider-unavailable': '支付通道暂不可用，请稍后再试。',
    'unknown-provider': '暂不支持该支付方式。',
    'payment-declined': '支付未成功，请重试。',
    'payment-timeout': '支付结果确认超时，请稍后刷新查看。'
  };
  var FIELDS = {
    phone: '请输入正确的11位手机号。',
    code: '请输入6位数字验证码。',
    quantity: '购买数量有误，请重新选择。',
    offerId: '商品信息有误，请刷新页面。'
  };
  function describe(e) {
    var d = e.detail || '';
    var m;
    if (e.code === 'sold-out') {
      m = /Only ([0-9]+) left/.exec(d);
      return m ? '手慢了，仅剩 ' + m[1] + ' 件，请减少购买数量后再试。' : '手慢了，已抢光。';
    }
    if (e.code === 'limit-exceeded') {
      m = /At most ([0-9]+) per buyer; you already hold ([0-9]+)/.exec(d);
      if (m && Number(m[2]) > 0) return '超出每人限购数量：每人限购 ' + m[1] + ' 件，您已抢购 ' + m[2] + ' 件。';
      if (m) return '超出每人限购数量：每人限购 ' + m[1] + ' 件。';
      return null;
    }
    if (e.code === 'session-not-live') {
      if (/SCHEDULED/.test(d)) return '直播还未开始，开播后即可抢购。';
      if (/ENDED/.test(d)) return '直播已结束，商品已停止售卖。';
      return '直播未在进行中，暂时不能下单。';
    }
    if (e.code === 'invalid-code' && /many/i.test(d)) return '验证码错误次数过多，请重新获取验证码。';
    if (e.code === 'invalid-code' && /([0-9]+) tries left/.test(d)) {
      return '验证码错误，还可尝试 ' + /([0-9]+) tries left/.exec(d)[1] + ' 次。';
    }
    return null;
  }

  var view = null;      // the session as viewers see it, last pushed
  var qty = {};         // offer id → the quantity chosen
  var pending = null;   // a purchase waiting for signing in: { offerId, quantity }
  var order = null;     // the order being paid: { orderId, status, totalFen, payBy, item }
  var buying = false;
  var stream = null;
  var countdown = null;

  function offerOf(id) {
    return view ? view.offers.filter(function (o) { return o.id === id; })[0] : null;
  }

  // --- views ---

  function show(name) {
    $('view-loading').hidden = name !== 'loading';
    $('view-login').hidden = name !== 'login';
    $('view-offers').hidden = name !== 'shop';
    $('view-order').hidden = name !== 'shop' || !order;
    document.body.setAttribute('data-view', name);
    var token = load(TOKEN_KEY);
    $('who').textContent = token ? '已登录 ' + maskPhone(load(PHONE_KEY) || '') : '';
    $('btn-logout').hidden = !token;
  }

  // --- the session and its offers ---

  function offerCard(o) {
    var id = esc(o.id);
    return '<article class="offer" id="offer-' + id + '" data-offer-id="' + id + '" data-testid="offer">' +
      '<div class="offer-top"><div class="thumb">' + ICONS.gift + '</div><div class="offer-info">' +
      '<h3 class="offer-name" id="offer-' + id + '-name"></h3>' +
      '<div class="tags"><span class="tag">直播专享价</span><span class="tag limit" id="offer-' + id + '-limit" hidden></span></div>' +
      '<span class="price" id="offer-' + id + '-price"></span></div></div>' +
      '<div class="offer-bottom"><span class="remaining" id="offer-' + id + '-remaining"></span>' +
      '<div class="stepper"><button type="button" id="offer-' + id + '-minus" data-act="minus" data-offer="' + id + '" aria-label="减少">' + ICONS.minus + '</button>' +
      '<span class="qty" id="offer-' + id + '-qty">1</span>' +
      '<button type="button" id="offer-' + id + '-plus" data-act="plus" data-offer="' + id + '" aria-label="增加">' + ICONS.plus + '</button></div></div>' +
      '<button type="button" class="btn buy" id="offer-' + id + '-buy" data-act="buy" data-offer="' + id + '">抢购</button>' +
      '</article>';
  }
  /** The most one may choose: what is left, and the per-buyer limit. */
  function maxQty(o) {
    var m = Math.max(0, o.remaining);
    if (o.perBuyerLimit) m = Math.min(m, o.perBuyerLimit);
    return Math.min(m, 99);
  }
  function updateCard(o) {
    var id = o.id;
    var max = maxQty(o);
    var q = Math.max(1, Math.min(qty[id] || 1, Math.max(1, max)));
    qty[id] = q;
    $('offer-' + id + '-name').textContent = o.productName || '商品';
    var digits = yuanDigits(o.livePriceFen);
    $('offer-' + id + '-price').innerHTML = '<small>¥</small>' + esc(digits);
    var lim = $('offer-' + id + '-limit');
    lim.textContent = o.perBuyerLimit ? '每人限购 ' + o.perBuyerLimit + ' 件' : '';
    lim.hidden = !o.perBuyerLimit;
    var rem = $('offer-' + id + '-remaining');
    rem.textContent = '剩余 ' + Math.max(0, o.remaining) + ' 件';
    rem.className = 'remaining' + (o.remaining <= 0 ? ' none' : o.remaining <= 10 ? ' low' : '');
    rem.setAttribute('data-remaining', String(o.remaining));
    $('offer-' + id + '-qty').textContent = String(q);
    var live = view.status === 'LIVE';
    $('offer-' + id + '-minus').disabled = !live || q <= 1;
    $('offer-' + id + '-plus').disabled = !live || q >= max;
    var b = $('offer-' + id + '-buy');
    var label = view.status === 'ENDED' ? '已结束' : view.status !== 'LIVE' ? '未开播' : o.remaining <= 0 ? '已售罄' : buying ? '抢购中…' : '抢购';
    b.textContent = label;
    b.disabled = !live || o.remaining <= 0 || buying;
    b.className = 'btn buy' + (!live || o.remaining <= 0 ? ' off' : '');
    $('offer-' + id).className = 'offer' + (!live || o.remaining <= 0 ? ' closed' : '');
  }
  function render(v) {
    // A refusal shown before the session went live or ended no longer applies.
    if (view && view.status !== v.status) hideError();
    view = v;
    document.title = v.title + (v.hostName ? ' · ' + v.hostName : '');
    $('title').textContent = v.title;
    $('host').textContent = v.hostName ? '主播：' + v.hostName : '';
    var st = STATUS[v.status] || [v.status, ''];
    $('status').textContent = st[0];
    $('status').setAttribute('data-status', v.status);
    $('status-badge').className = 'badge ' + st[1];
    var note = $('status-note');
    note.textContent = v.status === 'SCHEDULED' ? '直播即将开始，开播后即可抢购' : v.status === 'ENDED' ? '本场直播已结束，感谢您对助农好物的支持' : '';
    note.className = 'status-note' + (v.status === 'ENDED' ? ' ended' : '');
    note.hidden = v.status === 'LIVE';
    var list = $('offers');
    var ids = v.offers.map(function (o) { return o.id; }).join(',');
    if (list.getAttribute('data-ids') !== ids) {
      list.innerHTML = v.offers.map(offerCard).join('');
      list.setAttribute('data-ids', ids);
    }
    v.offers.forEach(updateCard);
    $('offers-empty').hidden = v.offers.length > 0;
  }
  function renderCards() { if (view) view.offers.forEach(updateCard); }

  /** The public view once (first paint, and after a refused purchase); null if it could not be read. */
  async function refresh() {
    try {
      render(await api('GET', SESSION_PATH + '/public'));
      return true;
    } catch (e) {
      if (e.code === 'not-found' || e.code === 'validation-failed') {
        showError(COMMON_ERRORS['not-found']);
        $('status').textContent = '未找到';
        return false;
      }
      return null;
    }
  }

  /** The public stream: the view at once and on every change; EventSource reconnects by itself. */
  function connect() {
    if (stream) stream.close();
    var es = new EventSource(API + SESSION_PATH + '/public/stream');
    stream = es;
    es.onmessage = function (ev) {
      var v;
      try { v = JSON.parse(ev.data); } catch (e) { return; }
      notice('');
      render(v);
    };
    es.onerror = function () {
      if (stream !== es) return;
      notice('实时连接中断，正在重连…');
      if (es.readyState === 2) {
        // Closed for good (an error answer): check the session, then open again.
        es.close();
        setTimeout(async function () {
          if (stream !== es) return;
          var ok = await refresh();
          if (ok === false) { stream = null; return; }
          connect();
        }, 3000);
      }
    };
  }

  // --- buying ---

  async function buy(offerId) {
    hideError();
    var o = offerOf(offerId);
    if (!o || buying) return;
    var q = qty[offerId] || 1;
    if (!load(TOKEN_KEY)) {
      pending = { offerId: offerId, quantity: q };
      showLogin();
      return;
    }
    await placeOrder(offerId, q);
  }
  async function placeOrder(offerId, q) {
    var o = offerOf(offerId);
    buying = true;
    renderCards();
    try {
      var r = await api('POST', SESSION_PATH + '/orders', { offerId: offerId, quantity: q }, { 'Idempotency-Key': newKey() });
      order = {
        orderId: r.orderId,
        status: r.status,
        totalFen: r.totalFen,
        payBy: r.payBy,
        item: (o ? o.productName : '商品') + ' × ' + q
      };
      store(ORDER_KEY, JSON.stringify(order));
      qty[offerId] = 1;
      renderOrder();
      show('shop');
      window.scrollTo(0, 0);
    } catch (e) {
      if (e.expired) {
        pending = { offerId: offerId, quantity: q };
        showLogin();
        showError(e);
        return;
      }
      show('shop');
      showError(e);
      await refresh();
    } finally {
      buying = false;
      renderCards();
    }
  }

  // --- the order: pay before the deadline ---

  function renderOrder() {
    var o = order;
    if (!o) { $('view-order').hidden = true; return; }
    var sec = $('view-order');
    sec.setAttribute('data-status', o.status);
    $('order-item').textContent = o.item || '';
    $('order-total').textContent = yuan(o.totalFen);
    var key;
    if (o.status === 'PENDING_PAYMENT') {
      key = 'lock';
      $('order-title').textContent = '抢购成功';
      $('order-message').textContent = '订单已锁定，请在 ' + hhmm(o.payBy) + ' 前支付';
    } else if (o.status === 'PAID') {
      key = 'ok';
      $('order-title').textContent = '支付成功';
      $('order-message').textContent = '感谢您支持助农好物，我们将尽快为您发货。';
    } else {
      key = 'off';
      $('order-title').textContent = '订单已取消';
      $('order-message').textContent = '订单未在规定时间内支付，锁定的商品已释放。';
    }
    if ($('order-ico').getAttribute('data-key') !== key) {
      $('order-ico').innerHTML = ICONS[key];
      $('order-ico').setAttribute('data-key', key);
    }
    var payable = o.status === 'PENDING_PAYMENT';
    $('btn-pay').hidden = !payable;
    $('btn-continue').hidden = payable;
    tickCountdown();
    clearInterval(countdown);
    if (payable) countdown = setInterval(tickCountdown, 1000);
  }
  function tickCountdown() {
    var c = $('order-countdown');
    if (!order || order.status !== 'PENDING_PAYMENT' || !order.payBy) { c.hidden = true; clearInterval(countdown); return; }
    var left = Math.floor((new Date(order.payBy).getTime() - Date.now()) / 1000);
    c.hidden = false;
    if (left <= 0) {
      c.textContent = '已超过支付时间';
      $('btn-pay').disabled = true;
      clearInterval(countdown);
      return;
    }
    c.innerHTML = '剩余支付时间 <b>' + pad2(Math.floor(left / 60)) + ':' + pad2(left % 60) + '</b>';
  }
  async function pay() {
    if (!order) return;
    hideError();
    var mine = order;
    var b = $('btn-pay');
    b.disabled = true;
    b.textContent = '支付中…';
    try {
      await payOrder(mine.orderId);
      var o = await api('GET', '/orders/' + encodeURIComponent(mine.orderId));
      mine.status = o.status;
      mine.totalFen = o.totalFen;
      if (order === mine) {
        if (mine.status === 'PENDING_PAYMENT') store(ORDER_KEY, JSON.stringify(mine)); else store(ORDER_KEY, null);
        renderOrder();
      }
    } catch (e) {
      if (e.expired) { showLogin(); showError(e); return; }
      showError(e);
    } finally {
      b.disabled = false;
      b.textContent = '支付';
      tickCountdown();
    }
  }
  function closeOrder() {
    hideError();
    order = null;
    store(ORDER_KEY, null);
    clearInterval(countdown);
    show('shop');
  }
  /** An unpaid order of this session from before a reload, still payable. */
  async function resumeOrder() {
    var saved = null;
    try { saved = JSON.parse(load(ORDER_KEY) || 'null'); } catch (e) { saved = null; }
    if (!saved || !saved.orderId || !load(TOKEN_KEY)) return;
    try {
      var o = await api('GET', '/orders/' + encodeURIComponent(saved.orderId));
      if (o.status !== 'PENDING_PAYMENT') { store(ORDER_KEY, null); return; }
      saved.status = o.status;
      saved.totalFen = o.totalFen;
      saved.payBy = o.payBy;
      order = saved;
      renderOrder();
    } catch (e) {
      store(ORDER_KEY, null);
    }
  }

  // --- signing in ---

${PAGE_PHONE_SIGN_IN}
  function showLogin() {
    var p = load(PHONE_KEY);
    if (p && !$('phone').value) $('phone').value = p;
    show('login');
    window.scrollTo(0, 0);
  }
  async function signIn() {
    if (!(await verifyCode())) return;
    show('shop');
    var p = pending;
    pending = null;
    if (p && offerOf(p.offerId)) await placeOrder(p.offerId, p.quantity);
  }
  function signOut() {
    store(TOKEN_KEY, null);
    order = null;
    pending = null;
    clearInterval(countdown);
    store(ORDER_KEY, null);
    hideError();
    show('shop');
  }

  // --- wiring ---

  $('offers').addEventListener('click', function (ev) {
    var t = ev.target.closest ? ev.target.closest('button[data-act]') : null;
    if (!t || t.disabled) return;
    var id = t.getAttribute('data-offer');
    var o = offerOf(id);
    if (!o) return;
    var act = t.getAttribute('data-act');
    if (act === 'minus') { qty[id] = Math.max(1, (qty[id] || 1) - 1); updateCard(o); }
    else if (act === 'plus') { qty[id] = Math.min(maxQty(o), (qty[id] || 1) + 1); updateCard(o); }
    else if (act === 'buy') buy(id);
  });
  $('btn-otp').addEventListener('click', requestCode);
  $('btn-login').addEventListener('click', signIn);
  $('code').addEventListener('keydown', function (e) { if (e.key === 'Enter') signIn(); });
  $('phone').addEventListener('keydown', function (e) { if (e.key === 'Enter') requestCode(); });
  $('btn-login-cancel').addEventListener('click', function () { pending = null; hideError(); show('shop'); });
  $('btn-pay').addEventListener('click', pay);
  $('btn-continue').addEventListener('click', closeOrder);
  $('btn-logout').addEventListener('click', signOut);
  $('btn-retry').addEventListener('click', function () { hideError(); boot(); });

  async function boot() {
    loading('busy');
    show('loading');
    var ok = await refresh();
    if (ok === false) { show('none'); return; }
    if (ok === null) {
      showError(COMMON_ERRORS.network);
      loading('retry');
      return;
    }
    await resumeOrder();
    show('shop');
    connect();
  }
  boot();
})();
</script>
</body>
</html>
`;

/** The host's dashboard (`/h/<sessionId>`): go live and end, the figures pushed live, the chart, the report. */
export const DASHBOARD_PAGE = String.raw`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="theme-color" content="#c7352b">
<title>直播数据</title>
<style>${BASE_STYLE}
.wrap.wide{max-width:none}
.wrap.wide main{width:100%;max-width:1120px;margin-left:auto;margin-right:auto}
header .in{max-width:1092px;margin:0 auto}
.narrow{max-width:440px;margin-left:auto;margin-right:auto}
.control{padding:16px 18px}
.control-row{display:flex;justify-content:space-between;align-items:center;gap:12px;flex-wrap:wrap}
.times{font-size:14px;color:#6b5e52}
.conn{display:inline-flex;align-items:center;gap:6px;font-size:13px;margin-top:4px;border-radius:10px;padding:1px 10px;background:#efebe6;color:#6b5e52}
.conn i{width:8px;height:8px;border-radius:50%;background:#b9ada1}
.conn[data-state="open"]{background:#eaf6ee;color:#1f7a3d}
.conn[data-state="open"] i{background:#22a04b;animation:blink 1.6s ease-in-out infinite}
.conn[data-state="down"]{background:#fff4e0;color:#9a6200}
.conn[data-state="down"] i{background:#e19a1c}
.actions{display:flex;gap:10px}
.actions .btn{width:auto;min-width:112px;margin-top:0;padding:11px 22px;font-size:17px;letter-spacing:2px}
.btn.dark{background:#4a3b30;box-shadow:0 4px 10px rgba(60,40,20,.2)}
.btn.dark:active:not(:disabled){background:#2f251e}
.confirm{margin-top:14px;background:#fff8e6;border:1px solid #f0d9a0;border-radius:12px;padding:12px 14px;font-size:14px;color:#6b4e00}
.confirm .row{margin-top:10px}
.confirm .btn{margin-top:0;padding:10px 0;font-size:16px}
.ended-note{margin-top:10px;font-size:14px;color:#6b5e52}
.figs{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px;margin-bottom:6px}
.fig{background:#fff;border-radius:16px;box-shadow:0 4px 16px rgba(120,60,20,.08);padding:14px 16px;min-width:0}
.fig .lbl{display:block;font-size:13px;color:#8a7d70}
.fig b{display:block;font-size:26px;font-weight:800;line-height:1.25;margin-top:2px;font-variant-numeric:tabular-nums;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.fig.gmv{grid-column:1/-1;background:linear-gradient(135deg,#fff4ec,#ffe4d6)}
.fig.gmv b{font-size:38px;color:#c2381f}
.fig b.bump{animation:bump .8s ease-out}
@keyframes bump{0%{color:#f07a3a;transform:translateY(-2px)}100%{transform:none}}
.updated{font-size:12px;color:#a99b8d;margin:0 4px 14px;text-align:right}
.chart-box{margin-top:8px;width:100%;overflow:hidden}
.chart-box svg{display:block}
.table-wrap{overflow-x:auto;margin:4px -4px 0;-webkit-overflow-scrolling:touch}
table{width:100%;border-collapse:collapse;font-size:15px;min-width:520px}
th{font-size:13px;font-weight:600;color:#8a7d70;text-align:right;padding:8px 6px;border-bottom:1px solid #eee3d6;white-space:nowrap}
td{text-align:right;padding:11px 6px;border-bottom:1px solid #f5efe7;font-variant-numeric:tabular-nums;white-space:nowrap}
th:first-child,td:first-child{text-align:left;white-space:normal}
td.name{font-weight:600;min-width:120px}
td .sub{display:block;font-size:12px;color:#a99b8d;font-weight:400}
td.gmv{color:#c2381f;font-weight:700}
.share{text-align:center}
.share img{display:block;width:100%;max-width:220px;margin:8px auto 10px;border-radius:10px;border:1px solid #eee3d6;background:#fff}
.share a{display:block;font-size:13px;color:#8a5a44;word-break:break-all}
.share .btn{margin-top:12px}
@media (max-width:559px){
  table{min-width:0}
  thead{display:none}
  tbody tr{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:8px;padding:12px 4px;border-bottom:1px solid #f5efe7}
  tbody tr:last-child{border-bottom:0}
  td{display:block;border:0;padding:0;text-align:left}
  td.name{grid-column:1/-1;min-width:0}
  td[data-label]:before{content:attr(data-label);display:block;font-size:12px;color:#a99b8d;font-weight:400}
}
@media (min-width:760px){
  header{padding:24px 28px 52px}
  main{padding:0 14px 24px}
  .grid{display:grid;grid-template-columns:minmax(0,1fr) 300px;gap:16px;align-items:start}
  .figs{grid-template-columns:1.6fr repeat(4,minmax(0,1fr))}
  .fig.gmv{grid-column:auto}
  .fig b{font-size:28px}
  .fig.gmv b{font-size:32px}
}
</style>
</head>
<body>
<div class="wrap wide">
<header>
  <div class="in">
    <p class="eyebrow">直播数据看板</p>
    <h1 id="title" data-testid="title">直播数据</h1>
    <p id="host" data-testid="host"></p>
    <span id="status-badge" class="badge"><i></i><span id="status" data-testid="status">加载中</span></span>
  </div>
</header>
<main>
  <div id="error" class="error" role="alert" data-testid="error" hidden><b>!</b><span id="error-message" data-testid="error-message"></span></div>
  <div id="notice" class="notice" role="status" hidden></div>

  <section id="view-loading" class="card center narrow" data-testid="view-loading">
    <div id="loading-ico" class="status-ico">${PAGE_SPINNER}</div>
    <p id="loading-text" class="muted">加载中…</p>
    <button id="btn-retry" class="btn plain" type="button" hidden>重试</button>
  </section>

  <section id="view-login" class="card narrow" data-testid="view-login" hidden>
    <h2>主播登录</h2>
    <p class="muted">使用本场主播或管理员账号登录，查看实时数据并控制开播、下播。</p>
    <label for="username">账号</label>
    <input id="username" data-testid="username" type="text" autocomplete="username" autocapitalize="off" spellcheck="false" placeholder="请输入账号">
    <label for="password">密码</label>
    <input id="password" data-testid="password" type="password" autocomplete="current-password" placeholder="请输入密码">
    <button id="btn-login" data-testid="btn-login" class="btn" type="button">登录</button>
  </section>

  <section id="view-board" data-testid="view-board" hidden>
    <div class="grid">
      <div class="col-main">
        <div class="card control">
          <div class="control-row">
            <div>
              <div id="times" class="times" data-testid="times"></div>
              <span id="conn" class="conn" data-state="idle" data-testid="conn"><i></i><span id="conn-text">未连接</span></span>
            </div>
            <div class="actions">
              <button id="btn-start" data-testid="btn-start" class="btn" type="button" hidden>开播</button>
              <button id="btn-end" data-testid="btn-end" class="btn dark" type="button" hidden>下播</button>
            </div>
          </div>
          <div id="end-confirm" class="confirm" data-testid="end-confirm" hidden>
            <div>确定下播吗？下播后商品立即停止售卖，未售出的库存退回原批次。</div>
            <div class="row">
              <button id="btn-end-cancel" class="btn plain" type="button">取消</button>
              <button id="btn-end-confirm" data-testid="btn-end-confirm" class="btn" type="button">确定下播</button>
            </div>
          </div>
          <div id="ended-note" class="ended-note" hidden>本场直播已结束，可下载场次报告查看完整数据。</div>
        </div>

        <div class="figs">
          <div class="fig gmv"><span class="lbl">成交额</span><b id="gmv" data-testid="gmv">—</b></div>
          <div class="fig"><span class="lbl">已支付订单</span><b id="paid-orders" data-testid="paid-orders">—</b></div>
          <div class="fig"><span class="lbl">待支付订单</span><b id="pending-orders" data-testid="pending-orders">—</b></div>
          <div class="fig"><span class="lbl">成交件数</span><b id="units" data-testid="units">—</b></div>
          <div class="fig"><span class="lbl">买家数</span><b id="buyers" data-testid="buyers">—</b></div>
        </div>
        <p id="updated-at" class="updated" data-testid="updated-at"></p>

        <div class="card">
          <h2>成交趋势</h2>
          <p id="chart-caption" class="muted small">每分钟成交额（元）</p>
          <div id="chart-box" class="chart-box" data-testid="chart-box"></div>
        </div>

        <div class="card">
          <h2>商品</h2>
          <div class="table-wrap">
            <table id="offers-table" data-testid="offers-table">
              <thead><tr><th>商品</th><th>直播价</th><th>已售</th><th>锁定</th><th>剩余</th><th>成交额</th></tr></thead>
              <tbody id="offers-body"></tbody>
            </table>
          </div>
        </div>
      </div>

      <aside class="col-side">
        <div class="card share">
          <h2>分享直播间</h2>
          <p class="muted small">观众扫码或打开链接即可抢购</p>
          <img id="qr" data-testid="qr" alt="直播间二维码">
          <a id="share-url" data-testid="share-url" target="_blank" rel="noopener"></a>
          <button id="btn-copy" class="btn plain" type="button">复制链接</button>
        </div>
        <div class="card">
          <h2>场次报告</h2>
          <p class="muted small">成交额、订单、买家、带动农户数与商品排行（CSV，可用 Excel 打开）</p>
          <button id="btn-report" data-testid="btn-report" class="btn ghost" type="button">下载场次报告</button>
        </div>
      </aside>
    </div>
  </section>
</main>
${FOOTER}
</div>
<script>
(function () {
  'use strict';
  var TOKEN_KEY = 'live.host.token';
  var USER_KEY = 'live.host.user';
${CLIENT_HELPERS}
${PAGE_STAFF_SIGN_IN}
  var CONN = { idle: '未连接', connecting: '正在连接…', open: '实时连接中', down: '已断开，重连中' };
  var ERRORS = {
    'invalid-credentials': '账号或密码错误。',
    'account-disabled': '该账号已停用，请联系管理员。',
    'forbidden': '这不是您的直播场次，请使用本场主播或管理员账号登录。',
    'invalid-session-transition': '场次状态已变化，已为您刷新。'
  };
  var FIELDS = { username: '请输入账号。', password: '请输入密码。' };
  function describe() { return null; }

  var session = null;    // the session (GET /live/sessions/:id)
  var hostName = '';
  var stats = null;      // the figures last pushed
  var live = { gen: 0, ctrl: null, last: 0, watchdog: null };
  var clock = null;
  var MINUTE = 60000;

  // --- views ---

  function show(name) {
    $('view-loading').hidden = name !== 'loading';
    $('view-login').hidden = name !== 'login';
    $('view-board').hidden = name !== 'board';
    $('status-badge').hidden = name !== 'board';
    document.body.setAttribute('data-view', name);
    var token = load(TOKEN_KEY);
    $('who').textContent = token ? '已登录 ' + (load(USER_KEY) || '') : '';
    $('btn-logout').hidden = !token;
  }
  function showLogin() {
    stopStream();
    show('login');
  }

  // --- the session ---

  function sameOrigin(url) {
    try {
      var u = new URL(url, location.href);
      return u.origin === location.origin ? u.href : u.pathname + u.search;
    } catch (e) { return url; }
  }
  function renderStatus() {
    var s = session.status;
    var st = STATUS[s] || [s, ''];
    $('status').textContent = st[0];
    $('status').setAttribute('data-status', s);
    $('status-badge').className = 'badge ' + st[1];
    $('btn-start').hidden = s !== 'SCHEDULED';
    $('btn-end').hidden = s !== 'LIVE';
    if (s !== 'LIVE') $('end-confirm').hidden = true;
    $('ended-note').hidden = s !== 'ENDED';
    var t;
    if (s === 'SCHEDULED') t = '计划开播 ' + when(session.scheduledAt);
    else if (s === 'LIVE') t = '开播于 ' + when(session.startedAt);
    else t = '直播时间 ' + when(session.startedAt || session.scheduledAt) + ' – ' + hhmm(session.endedAt);
    $('times').textContent = t;
    clearInterval(clock);
    if (s === 'LIVE') clock = setInterval(renderChart, 30000);
  }
  function renderSession() {
    document.title = '直播数据 · ' + session.title;
    $('title').textContent = session.title;
    $('host').textContent = hostName ? '主播：' + hostName : '';
    renderStatus();
    $('share-url').textContent = session.shareUrl;
    $('share-url').href = session.shareUrl;
    var qr = sameOrigin(session.qrUrl);
    if ($('qr').getAttribute('src') !== qr) $('qr').setAttribute('src', qr);
    $('offers-body').innerHTML = session.offers.map(function (o) {
      var id = esc(o.id);
      return '<tr id="offer-' + id + '" data-offer-id="' + id + '">' +
        '<td class="name"><span id="offer-' + id + '-name">' + esc(o.productName) + '</span>' +
        '<span class="sub" id="offer-' + id + '-note">库存 ' + esc(o.stock) + ' 件' + (o.perBuyerLimit ? ' · 每人限购 ' + esc(o.perBuyerLimit) + ' 件' : '') + '</span></td>' +
        '<td data-label="直播价" id="offer-' + id + '-price">' + esc(yuan(o.livePriceFen)) + '</td>' +
        '<td data-label="已售" id="offer-' + id + '-sold">—</td><td data-label="锁定" id="offer-' + id + '-reserved">—</td>' +
        '<td data-label="剩余" id="offer-' + id + '-remaining">—</td><td data-label="成交额" class="gmv" id="offer-' + id + '-gmv">—</td></tr>';
    }).join('') || '<tr><td colspan="6" class="muted">本场直播暂无商品</td></tr>';
    if (stats) renderStats(stats);
    renderChart();
  }
  async function openBoard() {
    loading('busy');
    show('loading');
    try {
      var got = await Promise.all([
        api('GET', SESSION_PATH),
        api('GET', SESSION_PATH + '/public').catch(function () { return null; })
      ]);
      session = got[0];
      hostName = got[1] ? got[1].hostName : '';
      renderSession();
      show('board');
      startStream();
    } catch (e) {
      if (e.expired) { showLogin(); showError(e); return; }
      if (e.code === 'forbidden') { showLogin(); showError(e); return; }
      if (e.code === 'validation-failed') e = COMMON_ERRORS['not-found'];
      showError(e);
      if (e.status === 0 || e.status >= 500) loading('retry');
      else show('none');
    }
  }
  /** The session again (its times after a start or an end), quietly. */
  async function reloadSession() {
    try {
      session = await api('GET', SESSION_PATH);
      renderStatus();
      renderChart();
    } catch (e) {
      if (e.expired) { showLogin(); showError(e); }
    }
  }

  // --- going live and ending ---

  async function transition(action, button, label) {
    hideError();
    button.disabled = true;
    button.textContent = action === 'start' ? '开播中…' : '下播中…';
    try {
      var r = await api('POST', SESSION_PATH + '/' + action, undefined, { 'Idempotency-Key': newKey() });
      session.status = r.status;
      renderStatus();
      await reloadSession();
    } catch (e) {
      if (e.expired) { showLogin(); showError(e); return; }
      showError(e);
      if (e.code === 'invalid-session-transition') await reloadSession();
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  // --- the figures, pushed by the stats stream ---

  function setText(id, text) {
    var el = $(id);
    if (!el || el.textContent === text) return;
    var first = el.textContent === '—';
    el.textContent = text;
    if (!first && el.tagName === 'B') {
      el.classList.remove('bump');
      void el.offsetWidth;
      el.classList.add('bump');
    }
  }
  function renderStats(s) {
    stats = s;
    setText('gmv', yuan(s.gmvFen));
    setText('paid-orders', String(s.paidOrders));
    setText('pending-orders', String(s.pendingOrders));
    setText('units', String(s.units));
    setText('buyers', String(s.buyers));
    (s.offers || []).forEach(function (o) {
      var id = 'offer-' + o.offerId;
      if (!$(id)) return;
      setText(id + '-sold', String(o.sold));
      setText(id + '-reserved', String(o.reserved));
      setText(id + '-remaining', String(o.remaining));
      setText(id + '-gmv', yuan(o.gmvFen));
      var offer = session.offers.filter(function (x) { return x.id === o.offerId; })[0];
      if (offer) {
        $(id + '-note').textContent = '库存 ' + offer.stock + ' 件' + (offer.perBuyerLimit ? ' · 每人限购 ' + offer.perBuyerLimit + ' 件' : '') +
          (o.imported ? ' · 含平台导入 ' + o.imported + ' 件' : '');
      }
    });
    var at = new Date(s.at);
    $('updated-at').textContent = isNaN(at.getTime()) ? '' : '数据更新于 ' + pad2(at.getHours()) + ':' + pad2(at.getMinutes()) + ':' + pad2(at.getSeconds());
    if (session && s.status && s.status !== session.status) {
      session.status = s.status;
      renderStatus();
      reloadSession();
    }
    renderChart();
  }
  function setConn(state) {
    $('conn').setAttribute('data-state', state);
    $('conn-text').textContent = CONN[state];
  }
  function stopStream() {
    live.gen += 1;
    if (live.ctrl) { try { live.ctrl.abort(); } catch (e) { /* gone */ } }
    live.ctrl = null;
    clearInterval(live.watchdog);
    setConn('idle');
  }
  /**
   * Reads the stats stream with fetch (EventSource cannot send the Authorization header), parsing its
   * data: frames; reconnects after a drop with a growing pause, and when no frame came for 40 s (the
   * server sends one at least every 15 s).
   */
  async function startStream() {
    stopStream();
    var gen = live.gen;
    var pause = 1000;
    setConn('connecting');
    clearInterval(live.watchdog);
    live.watchdog = setInterval(function () {
      if (live.gen === gen && live.ctrl && live.last && Date.now() - live.last > 40000) live.ctrl.abort();
    }, 5000);
    while (live.gen === gen) {
      var ctrl = new AbortController();
      live.ctrl = ctrl;
      live.last = Date.now();
      try {
        var h = authHeaders();
        h.accept = 'text/event-stream';
        var res = await fetch(API + SESSION_PATH + '/stats/stream', { headers: h, cache: 'no-store', signal: ctrl.signal });
        if (res.status === 401) { store(TOKEN_KEY, null); showLogin(); showError(COMMON_ERRORS.unauthenticated); return; }
        if (res.status === 403 || res.status === 404) {
          var body = null;
          try { body = await res.json(); } catch (e) { body = null; }
          stopStream();
          showError(new ApiError(res.status, body));
          return;
        }
        if (!res.ok || !res.body) throw new Error('stream ' + res.status);
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buf = '';
        for (;;) {
          var chunk = await reader.read();
          if (chunk.done || live.gen !== gen) break;
          buf += decoder.decode(chunk.value, { stream: true });
          var frames = buf.split(/\r?\n\r?\n/);
          buf = frames.pop();
          for (var i = 0; i < frames.length; i++) {
            var data = frames[i].split(/\r?\n/).filter(function (l) { return l.indexOf('data:') === 0; })
              .map(function (l) { return l.slice(5).replace(/^ /, ''); }).join('\n');
            if (!data) continue;
            var s;
            try { s = JSON.parse(data); } catch (e) { continue; }
            live.last = Date.now();
            pause = 1000;
            setConn('open');
            renderStats(s);
          }
        }
      } catch (e) {
        /* dropped: reconnect below */
      }
      if (live.gen !== gen) return;
      setConn('down');
      await sleep(pause);
      pause = Math.min(pause * 2, 10000);
    }
  }

  // --- the chart: paid money per minute (or per few minutes) over the session, inline SVG ---

  var BUCKETS = [1, 2, 5, 10, 15, 30, 60, 120, 240];
  /** The smallest 1-2-5 step in fen, at least ¥1, such that four steps reach max. */
  function niceStep(max) {
    var step = 100;
    while (step * 4 < max) {
      var lead = String(step).charAt(0);
      step = lead === '2' ? (step / 2) * 5 : step * 2;
    }
    return step;
  }
  function axisYuan(fen) {
    var y = Math.floor(fen / 100);
    if (y >= 10000) return Math.floor(y / 10000) + (y % 10000 ? '.' + Math.floor((y % 10000) / 1000) : '') + '万';
    return String(y);
  }
  function renderChart() {
    var box = $('chart-box');
    if (!box || !session) return;
    var W = Math.max(280, Math.min(box.clientWidth || 600, 1000));
    var H = W < 480 ? 200 : 240;
    var svg = '<svg id="chart" data-testid="chart" xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + ' ' + H + '" role="img"';
    var started = session.startedAt ? new Date(session.startedAt).getTime() : NaN;
    if (isNaN(started)) {
      box.innerHTML = svg + ' aria-label="尚未开播"><rect x="0.5" y="0.5" width="' + (W - 1) + '" height="' + (H - 1) + '" rx="10" fill="#fbf8f4" stroke="#eee3d6"/>' +
        '<text x="' + W / 2 + '" y="' + H / 2 + '" text-anchor="middle" font-size="14" fill="#a99b8d">开播后显示每分钟成交额</text></svg>';
      $('chart-caption').textContent = '每分钟成交额（元）';
      return;
    }
    var points = ((stats && stats.timeline) || []).map(function (p) {
      return { t: new Date(p.minute).getTime(), fen: p.gmvFen, units: p.units };
    }).filter(function (p) { return !isNaN(p.t); });
    var endAt = session.endedAt ? new Date(session.endedAt).getTime() : Date.now();
    var from = Math.floor(started / MINUTE) * MINUTE;
    var to = Math.floor(endAt / MINUTE) * MINUTE;
    points.forEach(function (p) { from = Math.min(from, p.t); to = Math.max(to, p.t); });
    var minutes = Math.round((to - from) / MINUTE) + 1;
    var left = 44, right = 12, top = 22, bottom = 30;
    var plotW = W - left - right, plotH = H - top - bottom;
    var maxBars = Math.max(6, Math.min(60, Math.floor(plotW / 10)));
    var b = BUCKETS[BUCKETS.length - 1];
    for (var k = 0; k < BUCKETS.length; k++) {
      if (Math.ceil(minutes / BUCKETS[k]) <= maxBars) { b = BUCKETS[k]; break; }
    }
    var span = b * MINUTE;
    var first = Math.floor(from / span) * span;
    var n = Math.floor(to / span) - Math.floor(from / span) + 1;
    var bars = [];
    for (var i = 0; i < n; i++) bars.push({ t: first + i * span, fen: 0, units: 0 });
    points.forEach(function (p) {
      var j = Math.floor((p.t - first) / span);
      if (j >= 0 && j < n) { bars[j].fen += p.fen; bars[j].units += p.units; }
    });
    var maxFen = bars.reduce(function (m, x) { return Math.max(m, x.fen); }, 0);
    var step = niceStep(maxFen);
    var top4 = step * 4;
    var slots = Math.max(n, 12);
    var slot = plotW / slots;
    var bw = Math.max(2, Math.min(slot * 0.68, 34));
    var out = [svg + ' aria-label="成交趋势">'];
    for (var g = 0; g <= 4; g++) {
      var gy = top + plotH - (plotH * g) / 4;
      out.push('<line x1="' + left + '" x2="' + (W - right) + '" y1="' + gy + '" y2="' + gy + '" stroke="' + (g ? '#f0e8de' : '#d8ccbf') + '"' + (g ? ' stroke-dasharray="3 3"' : '') + '/>');
      out.push('<text x="' + (left - 8) + '" y="' + (gy + 4) + '" text-anchor="end" font-size="11" fill="#8a7d70">' + esc(axisYuan(step * g)) + '</text>');
    }
    out.push('<text x="' + (left - 8) + '" y="11" text-anchor="end" font-size="11" fill="#8a7d70">元</text>');
    var every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plotW / 56))));
    bars.forEach(function (x, idx) {
      var cx = left + slot * idx + slot / 2;
      if (x.fen > 0) {
        var h = Math.max(2, (plotH * x.fen) / top4);
        var label = hhmm(x.t) + ' 成交 ' + yuan(x.fen) + ' · ' + x.units + ' 件';
        out.push('<rect class="bar" x="' + (cx - bw / 2) + '" y="' + (top + plotH - h) + '" width="' + bw + '" height="' + h + '" rx="3" fill="#e0503a"' +
          ' data-minute="' + new Date(x.t).toISOString() + '" data-fen="' + x.fen + '" data-units="' + x.units + '"><title>' + esc(label) + '</title></rect>');
        if (n <= 12) out.push('<text x="' + cx + '" y="' + (top + plotH - h - 5) + '" text-anchor="middle" font-size="11" font-weight="600" fill="#c2381f">' + esc(yuanDigits(x.fen)) + '</text>');
      }
      if (idx % every === 0 || (idx === n - 1 && idx % every >= Math.ceil(every / 2))) {
        out.push('<text x="' + cx + '" y="' + (H - 10) + '" text-anchor="middle" font-size="11" fill="#8a7d70">' + esc(hhmm(x.t)) + '</text>');
      }
    });
    if (!maxFen) out.push('<text x="' + (left + plotW / 2) + '" y="' + (top + (plotH * 3) / 8 + 5) + '" text-anchor="middle" font-size="14" fill="#a99b8d">暂无成交</text>');
    out.push('</svg>');
    box.innerHTML = out.join('');
    $('chart-caption').textContent = (b === 1 ? '每分钟' : '每 ' + b + ' 分钟') + '成交额（元）';
  }

  // --- the report ---

  async function downloadReport() {
    hideError();
    var b = $('btn-report');
    b.disabled = true;
    b.textContent = '正在生成…';
    try {
      var res;
      try {
        res = await fetch(API + SESSION_PATH + '/report.csv', { headers: authHeaders(), cache: 'no-store' });
      } catch (e) {
        throw new ApiError(0, null);
      }
      if (!res.ok) {
        var body = null;
        try { body = await res.json(); } catch (e) { body = null; }
        var err = new ApiError(res.status, body);
        if (res.status === 401) { store(TOKEN_KEY, null); showLogin(); }
        throw err;
      }
      var blob = await res.blob();
      var m = /filename="?([^";]+)"?/.exec(res.headers.get('content-disposition') || '');
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = m ? m[1] : 'live-' + sessionId + '-report.csv';
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 10000);
    } catch (e) {
      showError(e);
    } finally {
      b.disabled = false;
      b.textContent = '下载场次报告';
    }
  }

  // --- signing in ---

  function signIn() {
    return staffSignIn(
      function (roles) { return roles.indexOf('HOST') >= 0 || roles.indexOf('ADMIN') >= 0; },
      '该账号不是主播或管理员账号，无法查看直播数据。',
      async function (r, username) {
        store(USER_KEY, username);
        await openBoard();
      }
    );
  }
  function signOut() {
    stopStream();
    clearInterval(clock);
    store(TOKEN_KEY, null);
    store(USER_KEY, null);
    session = null;
    stats = null;
    hideError();
    showLogin();
  }
  async function copyLink() {
    var url = session ? session.shareUrl : '';
    try {
      await navigator.clipboard.writeText(url);
      notice('链接已复制');
    } catch (e) {
      var r = document.createRange();
      r.selectNodeContents($('share-url'));
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(r);
      notice('请长按或按 Ctrl+C 复制已选中的链接');
    }
    setTimeout(function () { notice(''); }, 3000);
  }

  // --- wiring ---

  $('btn-login').addEventListener('click', signIn);
  $('password').addEventListener('keydown', function (e) { if (e.key === 'Enter') signIn(); });
  $('username').addEventListener('keydown', function (e) { if (e.key === 'Enter') $('password').focus(); });
  $('btn-start').addEventListener('click', function () { transition('start', $('btn-start'), '开播'); });
  $('btn-end').addEventListener('click', function () { hideError(); $('end-confirm').hidden = false; });
  $('btn-end-cancel').addEventListener('click', function () { $('end-confirm').hidden = true; });
  $('btn-end-confirm').addEventListener('click', function () {
    $('end-confirm').hidden = true;
    transition('end', $('btn-end'), '下播');
  });
  $('btn-report').addEventListener('click', downloadReport);
  $('btn-copy').addEventListener('click', copyLink);
  $('btn-logout').addEventListener('click', signOut);
  $('btn-retry').addEventListener('click', function () { hideError(); openBoard(); });
  var resizing = null;
  window.addEventListener('resize', function () { clearTimeout(resizing); resizing = setTimeout(renderChart, 150); });
  window.addEventListener('online', function () { if (session && load(TOKEN_KEY)) startStream(); });

  if (load(TOKEN_KEY)) openBoard(); else showLogin();
})();
</script>
</body>
</html>
`;
