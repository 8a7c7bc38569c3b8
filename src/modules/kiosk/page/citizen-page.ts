import { PAGE_CLIENT, PAGE_PHONE_SIGN_IN } from '@/common/page-client';
import { PAGE_RESET_CSS, PAGE_ERROR_CSS, PAGE_FOOTER_CSS } from '@/common/page-style';

/**
 * The citizen's cabinet page (Chinese), one self-contained HTML document: no build step, no external
 * resources (the CSP allows inline styles and scripts only from this document).
 *
 * The flow: sign in with an SMS code → agree to pay after use (先用后付) → pay an unpaid balance if any →
 * 开门 → the live state of the session (polled) → the receipt (items, total, payment, the households' share),
 * paying a declined charge and disputing a purchase from there. Every error answer is shown in Chinese.
 *
 * The script avoids backticks and dollar-brace sequences (this is a template literal, into which only the
 * shared PAGE_CLIENT helpers are placed) and backslashes (String.raw keeps them, but none are needed).
 */
export const CITIZEN_PAGE = String.raw`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="format-detection" content="telephone=no">
<meta name="theme-color" content="#c7352b">
<title>消费扶贫智能专柜</title>
<style>
${PAGE_RESET_CSS}
.wrap{max-width:480px;margin:0 auto;min-height:100vh;display:flex;flex-direction:column}
header{background:linear-gradient(135deg,#b82d24 0%,#d9482f 60%,#e8703a 100%);color:#fff;padding:22px 20px 46px;position:relative}
header h1{font-size:22px;font-weight:700;letter-spacing:1px}
header p{font-size:13px;opacity:.9;margin-top:4px}
header .badge{position:absolute;right:18px;top:22px;font-size:12px;border:1px solid rgba(255,255,255,.6);border-radius:12px;padding:1px 9px}
main{flex:1;padding:0 14px 20px;margin-top:-30px;position:relative}
.card{background:#fff;border-radius:16px;box-shadow:0 4px 16px rgba(120,60,20,.08);padding:20px 18px;margin-bottom:14px}
.card h2{font-size:19px;font-weight:700;margin-bottom:6px}
.muted{color:#8a7d70;font-size:14px}
.small{font-size:13px}
.center{text-align:center}
label{display:block;font-size:14px;color:#6b5e52;margin:14px 0 6px}
input,textarea{width:100%;font:inherit;font-size:18px;border:1px solid #e2d8cc;border-radius:10px;padding:12px 14px;background:#fdfbf8;color:#2b2118;outline:none}
textarea{font-size:16px;min-height:96px;resize:vertical}
input:focus,textarea:focus{border-color:#d9482f;background:#fff;box-shadow:0 0 0 3px rgba(217,72,47,.12)}
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
.notice{background:#fff8e6;border:1px solid #f0d9a0;color:#7a5a12;border-radius:12px;padding:10px 14px;margin-bottom:14px;font-size:14px}
.steps{list-style:none;margin:14px 0 4px}
.steps li{display:flex;gap:12px;padding:10px 0;border-bottom:1px dashed #eee3d6}
.steps li:last-child{border-bottom:0}
.steps .n{flex:none;width:30px;height:30px;border-radius:50%;background:#fff1ec;color:#c2381f;font-weight:700;text-align:center;line-height:30px}
.steps strong{display:block;font-size:16px}
.steps span{font-size:14px;color:#8a7d70}
.tip{background:#f7f3ec;border-radius:10px;padding:10px 12px;font-size:13px;color:#7a6d60;margin-top:10px}
.amount{font-size:40px;font-weight:700;color:#c2381f;text-align:center;margin:10px 0 4px;font-variant-numeric:tabular-nums}
.amount small{font-size:22px;margin-right:2px}
.cab{display:flex;gap:14px;align-items:center}
.cab .ico{flex:none;width:52px;height:52px;border-radius:14px;background:#fff1ec;display:flex;align-items:center;justify-content:center}
.cab .ico svg{width:30px;height:30px}
.cab .name{font-size:18px;font-weight:700;word-break:break-all}
.chip{display:inline-block;font-size:13px;border-radius:10px;padding:1px 10px;margin-top:3px;background:#eaf6ee;color:#1f7a3d}
.chip.warn{background:#fff4e0;color:#9a6200}
.chip.bad{background:#fdeceb;color:#b3261e}
.chip.off{background:#efebe6;color:#6b5e52}
.open-area{padding:26px 0 8px;display:flex;flex-direction:column;align-items:center}
.btn-open{width:172px;height:172px;border-radius:50%;background:radial-gradient(circle at 35% 30%,#ef6a45,#c7352b 70%);color:#fff;font-size:34px;font-weight:700;letter-spacing:6px;padding-left:6px;
  box-shadow:0 10px 26px rgba(199,53,43,.35),inset 0 -6px 0 rgba(0,0,0,.08);border:8px solid #fde3da}
.btn-open:active:not(:disabled){transform:scale(.97)}
.btn-open.busy{font-size:20px;letter-spacing:1px;padding-left:0}
.status-box{text-align:center;padding:22px 4px 6px}
.status-ico{width:92px;height:92px;margin:0 auto 14px;border-radius:50%;display:flex;align-items:center;justify-content:center;background:#fff1ec}
.status-ico svg{width:50px;height:50px}
.spin{animation:spin 1.1s linear infinite}
@keyframes spin{to{transform:rotate(360deg)}}
.pulse{animation:pulse 1.6s ease-in-out infinite}
@keyframes pulse{50%{transform:scale(1.06)}}
.status-text{font-size:22px;font-weight:700}
.progress{display:flex;justify-content:space-between;margin:24px 4px 4px;position:relative}
.progress:before{content:"";position:absolute;left:12%;right:12%;top:13px;height:2px;background:#eee3d6}
.progress div{position:relative;flex:1;text-align:center;font-size:13px;color:#a99b8d}
.progress i{display:block;width:28px;height:28px;margin:0 auto 4px;border-radius:50%;background:#eee3d6;color:#fff;font-style:normal;line-height:28px;font-weight:700}
.progress .done{color:#5c4f44}
.progress .done i{background:#e0a089}
.progress .now{color:#c2381f;font-weight:600}
.progress .now i{background:#d9412c}
.rc-head{text-align:center;padding:4px 0 12px;border-bottom:1px dashed #e6dccf}
.rc-head .status-ico{width:64px;height:64px;margin-bottom:8px;background:none}
.rc-head .status-ico svg{width:64px;height:64px}
.rc-head.bare{border-bottom:0;padding-bottom:0}
.rc-title{font-size:20px;font-weight:700}
.lines{list-style:none;padding:6px 0}
.lines li{display:flex;justify-content:space-between;align-items:baseline;gap:12px;padding:8px 0}
.lines .nm{font-size:16px;word-break:break-all}
.lines .up{display:block;font-size:12px;color:#a99b8d}
.lines .am{flex:none;font-variant-numeric:tabular-nums}
.kv{display:flex;justify-content:space-between;align-items:center;padding:9px 0;border-top:1px solid #f2ebe2;font-size:15px}
.kv .v{font-weight:600;text-align:right}
.kv.total .v{font-size:22px;color:#c2381f}
.pay-ok{color:#1f7a3d}
.pay-bad{color:#b3261e}
.pay-wait{color:#9a6200}
.house{margin-top:12px;background:linear-gradient(135deg,#fff4df,#ffe9c7);border:1px solid #f2cf8c;color:#7a4a00;border-radius:12px;padding:12px 14px;font-size:16px;font-weight:600;display:flex;gap:10px;align-items:center}
.house svg{flex:none;width:24px;height:24px}
.house.pending{background:#f7f3ec;border-color:#e6dccf;color:#8a7d70;font-weight:500;font-size:14px}
.review{margin-top:12px;background:#fff8e6;border:1px solid #f0d9a0;border-radius:12px;padding:12px 14px;font-size:14px;color:#6b4e00;word-break:break-all}
.done-msg{margin-top:12px;background:#eaf6ee;border:1px solid #b9e0c5;color:#1f6b36;border-radius:12px;padding:12px 14px;font-size:15px;font-weight:600;text-align:center}
.history{list-style:none}
.history li{display:flex;justify-content:space-between;gap:10px;padding:9px 0;border-top:1px solid #f2ebe2;font-size:14px}
.history li:first-child{border-top:0}
.history .when{color:#a99b8d;font-size:12px;display:block}
.history .r{text-align:right;flex:none}
${PAGE_FOOTER_CSS}
</style>
</head>
<body>
<div class="wrap">
<header>
  <h1>消费扶贫智能专柜</h1>
  <p>买一份特产，助一户增收</p>
  <span class="badge">扫码购</span>
</header>
<main>
  <div id="error" class="error" role="alert" data-testid="error" hidden><b>!</b><span id="error-message" data-testid="error-message"></span></div>
  <div id="notice" class="notice" role="status" hidden></div>

  <section id="view-loading" class="card center" data-testid="view-loading">
    <div class="status-ico"><svg class="spin" viewBox="0 0 50 50"><circle cx="25" cy="25" r="20" fill="none" stroke="#f3c7b9" stroke-width="5"/><path d="M25 5a20 20 0 0 1 20 20" fill="none" stroke="#d9412c" stroke-width="5" stroke-linecap="round"/></svg></div>
    <p class="muted">加载中…</p>
    <button id="btn-retry" class="btn plain" type="button" hidden>重试</button>
  </section>

  <section id="view-login" class="card" data-testid="view-login" hidden>
    <h2>手机号登录</h2>
    <p class="muted">登录后即可扫码开门购物，首次登录自动注册。</p>
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
  </section>

  <section id="view-agree" class="card" data-testid="view-agree" hidden>
    <h2>开通先用后付</h2>
    <p class="muted">开通后扫码即可开门，无需预先付款。</p>
    <ol class="steps">
      <li><span class="n">1</span><div><strong>扫码开门</strong><span>点击“开门”，柜门自动解锁</span></div></li>
      <li><span class="n">2</span><div><strong>自助取货</strong><span>拿取所需商品，柜内称重自动识别</span></div></li>
      <li><span class="n">3</span><div><strong>关门扣款</strong><span>关上柜门后按实际取走的商品自动扣款，并以短信发送小票</span></div></li>
    </ol>
    <p class="tip">未取商品不扣款。如对扣款有疑问，可在小票页申诉，工作人员核实后处理。</p>
    <button id="btn-agree" data-testid="btn-agree" class="btn" type="button">同意并开通</button>
  </section>

  <section id="view-unpaid" class="card" data-testid="view-unpaid" hidden>
    <h2>您有待支付的订单</h2>
    <p class="muted">之前的购物扣款未成功，支付后即可继续开门购物。</p>
    <div id="unpaid-amount" data-testid="unpaid-amount" class="amount"></div>
    <ul id="unpaid-orders" class="history"></ul>
    <button id="btn-pay-unpaid" data-testid="btn-pay-unpaid" class="btn" type="button">立即支付</button>
  </section>

  <section id="view-ready" data-testid="view-ready" hidden>
    <div class="card">
      <div class="cab">
        <div class="ico"><svg viewBox="0 0 32 32"><rect x="5" y="3" width="22" height="26" rx="3" fill="none" stroke="#d9412c" stroke-width="2.4"/><line x1="5" y1="16" x2="27" y2="16" stroke="#d9412c" stroke-width="2"/><rect x="21" y="8" width="2.6" height="5" rx="1.3" fill="#d9412c"/><rect x="21" y="19" width="2.6" height="5" rx="1.3" fill="#d9412c"/></svg></div>
        <div>
          <div id="cabinet-name" class="name" data-testid="cabinet-name"></div>
          <div class="muted small">编号 <span id="cabinet-code" data-testid="cabinet-code"></span></div>
          <span id="cabinet-state" class="chip" data-testid="cabinet-state"></span>
        </div>
      </div>
      <div class="open-area">
        <button id="btn-open" data-testid="btn-open" class="btn-open" type="button">开门</button>
        <p class="muted small center" style="margin-top:18px">开门后取出所需商品，关好柜门即自动结算</p>
      </div>
    </div>
    <div id="history-card" class="card" hidden>
      <h2 style="font-size:16px">最近购物</h2>
      <ul id="history" class="history"></ul>
    </div>
  </section>

  <section id="view-session" class="card" data-testid="view-session" hidden>
    <div class="status-box">
      <div id="session-ico" class="status-ico"></div>
      <div id="session-status" class="status-text" data-testid="session-status"></div>
      <p id="session-hint" class="muted" style="margin-top:6px"></p>
    </div>
    <div class="progress" id="progress">
      <div data-step="1"><i>1</i>开门</div>
      <div data-step="2"><i>2</i>取货</div>
      <div data-step="3"><i>3</i>结算</div>
    </div>
  </section>

  <section id="view-receipt" data-testid="view-receipt" hidden>
    <div class="card">
      <div id="receipt-head" class="rc-head">
        <div id="receipt-ico" class="status-ico"></div>
        <div id="receipt-title" class="rc-title" data-testid="receipt-title"></div>
        <div id="receipt-sub" class="muted small"></div>
      </div>
      <ul id="receipt-items" class="lines" data-testid="receipt-items"></ul>
      <div id="receipt-money">
        <div class="kv total"><span>合计</span><span id="receipt-total" class="v" data-testid="receipt-total"></span></div>
        <div class="kv"><span>支付状态</span><span id="receipt-payment" class="v" data-testid="receipt-payment"></span></div>
      </div>
      <button id="btn-pay-receipt" data-testid="btn-pay-receipt" class="btn" type="button" hidden>立即支付</button>
      <div id="receipt-household" class="house" data-testid="receipt-household" hidden></div>
      <div id="receipt-review" class="review" data-testid="receipt-review" hidden></div>
      <div id="dispute-done" class="done-msg" data-testid="dispute-done" hidden>已提交申诉，工作人员将尽快处理</div>
    </div>
    <div id="dispute-card" class="card" hidden>
      <button id="btn-dispute" data-testid="btn-dispute" class="btn ghost" type="button" style="margin-top:0">对本次扣款有疑问？申诉</button>
      <div id="dispute-form" data-testid="dispute-form" hidden>
        <h2 style="font-size:17px">申诉</h2>
        <label for="dispute-reason">请说明实际取走的商品或遇到的问题</label>
        <textarea id="dispute-reason" data-testid="dispute-reason" maxlength="500" placeholder="例如：我只拿了一盒茶叶，却被扣了两盒的钱"></textarea>
        <button id="btn-dispute-submit" data-testid="btn-dispute-submit" class="btn" type="button">提交申诉</button>
        <button id="btn-dispute-cancel" class="btn plain" type="button" style="margin-top:10px">取消</button>
      </div>
    </div>
    <button id="btn-again" data-testid="btn-again" class="btn plain" type="button" style="margin-top:0">完成</button>
  </section>
</main>
<footer>
  <span id="who" data-testid="who"></span>
  <button id="btn-logout" type="button" hidden>退出登录</button>
  <div>每一笔消费都可追溯到脱贫户收入</div>
</footer>
</div>
<script>
(function () {
  'use strict';
${PAGE_CLIENT}
  var TOKEN_KEY = 'kiosk.token';
  var PHONE_KEY = 'kiosk.phone';
  var POLL_MS = 700;
  var VIEWS = ['loading', 'login', 'agree', 'unpaid', 'ready', 'session', 'receipt'];
  var ICONS = {
    spin: '<svg class="spin" viewBox="0 0 50 50"><circle cx="25" cy="25" r="20" fill="none" stroke="#f3c7b9" stroke-width="5"/><path d="M25 5a20 20 0 0 1 20 20" fill="none" stroke="#d9412c" stroke-width="5" stroke-linecap="round"/></svg>',
    door: '<svg class="pulse" viewBox="0 0 50 50"><rect x="10" y="5" width="30" height="40" rx="3" fill="none" stroke="#d9412c" stroke-width="3"/><path d="M10 5l14 5v38l-14-3z" fill="#fbd3c6" stroke="#d9412c" stroke-width="3" stroke-linejoin="round"/><circle cx="20" cy="27" r="2" fill="#d9412c"/></svg>',
    ok: '<svg viewBox="0 0 50 50"><circle cx="25" cy="25" r="22" fill="#e3f4e8"/><path d="M14 26l8 8 15-17" fill="none" stroke="#1f8a44" stroke-width="4.5" stroke-linecap="round" stroke-linejoin="round"/></svg>',
    bad: '<svg viewBox="0 0 50 50"><circle cx="25" cy="25" r="22" fill="#fde4e1"/><path d="M25 13v15" stroke="#c7352b" stroke-width="4.5" stroke-linecap="round"/><circle cx="25" cy="36" r="2.8" fill="#c7352b"/></svg>',
    info: '<svg viewBox="0 0 50 50"><circle cx="25" cy="25" r="22" fill="#efebe6"/><path d="M16 25h18" stroke="#8a7d70" stroke-width="4.5" stroke-linecap="round"/></svg>',
    review: '<svg viewBox="0 0 50 50"><circle cx="25" cy="25" r="22" fill="#fff1d6"/><circle cx="25" cy="25" r="11" fill="none" stroke="#b57a00" stroke-width="4"/><path d="M25 19v7l4 3" fill="none" stroke="#b57a00" stroke-width="3.5" stroke-linecap="round"/></svg>',
    heart: '<svg viewBox="0 0 24 24"><path d="M12 21s-7.5-4.6-9.6-9.3C.9 8.3 3 4.5 6.7 4.5c2.1 0 3.5 1.2 5.3 3.1 1.8-1.9 3.2-3.1 5.3-3.1 3.7 0 5.8 3.8 4.3 7.2C19.5 16.4 12 21 12 21z" fill="#e0612f"/></svg>'
  };
  var ERRORS = {
    'cabinet-not-found': '未找到该专柜：二维码无效或已被篡改，请重新扫描柜门上的二维码。',
    'cabinet-offline': '专柜暂时离线，请稍后再试。',
    'cabinet-maintenance': '专柜正在维护，暂停使用，请稍后再试。',
    'cabinet-busy': '有人正在使用该专柜，请等柜门关闭后再试。',
    'payment-agreement-required': '请先开通先用后付。',
    'unpaid-balance': '您有未支付的订单，请先完成支付。',
    'too-many-requests': '操作太频繁，请稍后再试。',
    'invalid-code': '验证码错误或已过期，请重新输入。',
    'account-disabled': '该账号已停用，请联系工作人员。',
    'unauthenticated': '登录已过期，请重新登录。',
    'forbidden': '没有权限进行此操作。',
    'session-not-disputable': '该订单不能申诉：可能已申诉过，或已超过申诉期限。',
    'kiosk-session-not-found': '未找到该购物记录。',
    'order-not-found': '未找到该订单。',
    'order-not-payable': '该订单已无需支付。',
    'order-expired': '该订单已超过支付期限，请联系工作人员。',
    'payment-provider-unavailable': '支付通道暂不可用，请稍后再试。',
    'unknown-provider': '暂不支持该支付方式。',
    'payment-declined': '支付未成功，请重试。',
    'payment-timeout': '支付结果确认超时，请稍后刷新查看。',
    'idempotency-key-in-progress': '请求正在处理中，请稍候。',
    'service-unavailable': '服务暂时不可用，请稍后再试。',
    'internal-error': '服务出错了，请稍后再试。',
    'request-timeout': '请求超时，请重试。',
    'network': '网络连接失败，请检查网络后重试。'
  };
  var FIELDS = {
    phone: '请输入正确的11位手机号。',
    code: '请输入6位数字验证码。',
    reason: '请填写申诉原因（不超过500字）。',
    qrUrl: '二维码地址无效，请重新扫描专柜上的二维码。'
  };
  var PAYMENT = {
    NONE: ['结算中…', 'pay-wait'],
    CHARGING: ['扣款中…', 'pay-wait'],
    PAID: ['已支付', 'pay-ok'],
    UNPAID: ['扣款失败', 'pay-bad'],
    REFUNDED: ['已退款', 'pay-ok'],
    PARTIALLY_REFUNDED: ['部分退款', 'pay-ok'],
    CANCELLED: ['已取消', 'pay-bad']
  };
  var STATUS = { UNLOCKING: '开门中', OPEN: '柜门已开', SETTLED: '已完成', CANCELLED: '未扣款', REVIEW: '审核中' };

  var cabinetCode = '';
  try {
    cabinetCode = decodeURIComponent(location.pathname.split('/').pop() || '');
  } catch (e) {
    cabinetCode = location.pathname.split('/').pop() || '';
  }

  function store(k, v) {
    try { if (v == null) localStorage.removeItem(k); else localStorage.setItem(k, v); } catch (e) { /* private mode */ }
  }
  function load(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }

  // --- views and messages ---

  function show(name) {
    VIEWS.forEach(function (v) { $('view-' + v).hidden = v !== name; });
    document.body.setAttribute('data-view', name);
    var token = load(TOKEN_KEY);
    $('who').textContent = token ? '已登录 ' + maskPhone(load(PHONE_KEY) || '') : '';
    $('btn-logout').hidden = !token;
  }
  function message(e) {
    if (!e) return '';
    if (typeof e === 'string') return e;
    if (e.code === 'too-many-requests' && e.retryAfter) return '操作太频繁，请 ' + e.retryAfter + ' 秒后再试。';
    if (e.code === 'invalid-code' && /many/i.test(e.detail || '')) return '验证码错误次数过多，请重新获取验证码。';
    if (e.code === 'invalid-code' && /([0-9]+) tries left/.test(e.detail || '')) {
      return '验证码错误，还可尝试 ' + /([0-9]+) tries left/.exec(e.detail)[1] + ' 次。';
    }
    if (e.code === 'validation-failed') {
      var f = (e.errors || []).map(function (x) { return FIELDS[String(x.field).split('.')[0]]; }).filter(Boolean);
      return f.length ? f[0] : '输入内容有误，请检查后重试。';
    }
    if (ERRORS[e.code]) return ERRORS[e.code];
    if (e.status >= 500) return ERRORS['service-unavailable'];
    return '操作未成功：' + (e.detail || e.title || '请稍后再试。');
  }

  // --- the API ---

  async function api(method, path, body, headers) {
    var token = load(TOKEN_KEY);
    try {
      return await request(method, path, body, headers, token);
    } catch (err) {
      if (err.status === 401 && token && path.indexOf('/auth/') !== 0) {
        signOut();
        showError(err);
        throw Object.assign(err, { handled: true });
      }
      throw err;
    }
  }

  // --- signing in ---

${PAGE_PHONE_SIGN_IN}
  function showLogin() {
    stopPolling();
    var p = load(PHONE_KEY);
    if (p && !$('phone').value) $('phone').value = p;
    show('login');
  }
  async function signIn() {
    if (await verifyCode()) await boot();
  }
  function signOut() {
    stopPolling();
    store(TOKEN_KEY, null);
    showLogin();
  }

  // --- where the citizen stands ---

  async function boot() {
    stopPolling();
    notice('');
    $('btn-retry').hidden = true;
    show('loading');
    // What the code names, before anyone signs in: a forged code is told at once.
    try {
      scanned = await api('GET', '/kiosk/scan?qrUrl=' + encodeURIComponent(location.href));
      cabinetName = scanned.name;
    } catch (e) {
      if (e.code === 'cabinet-not-found') {
        cabinetName = '无法识别的专柜';
        showReady(OPEN_STATES[e.code]);
        $('btn-open').disabled = true;
        showError(e);
        return;
      }
      scanned = null;
    }
    if (!load(TOKEN_KEY)) { showLogin(); return; }
    try {
      var got = await Promise.all([api('GET', '/me/payment-agreements'), api('GET', '/kiosk/sessions?limit=5')]);
      var agreements = got[0] || [];
      var history = (got[1] && got[1].items) || [];
      renderHistory(history);
      var active = history.filter(function (s) {
        return s.cabinetCode === cabinetCode && (s.status === 'UNLOCKING' || s.status === 'OPEN');
      })[0];
      if (active) { track(active.id, active); return; }
      if (!agreements.some(function (a) { return a.status === 'ACTIVE'; })) { show('agree'); return; }
      var unpaid = await api('GET', '/kiosk/me/unpaid');
      if (unpaid && unpaid.totalFen > 0) { showUnpaid(unpaid); return; }
      showReady();
    } catch (e) {
      if (e.handled) return;
      showError(e);
      $('btn-retry').hidden = false;
    }
  }

  async function agree() {
    hideError();
    var b = $('btn-agree');
    b.disabled = true;
    b.textContent = '正在开通…';
    try {
      await api('POST', '/me/payment-agreements', { provider: 'sandbox' }, { 'Idempotency-Key': newKey() });
      await boot();
    } catch (e) {
      if (!e.handled) showError(e);
    } finally {
      b.disabled = false;
      b.textContent = '同意并开通';
    }
  }

  function showUnpaid(unpaid) {
    $('unpaid-amount').innerHTML = '<small>¥</small>' + esc(yuan(unpaid.totalFen).slice(1));
    $('unpaid-amount').setAttribute('data-fen', String(unpaid.totalFen));
    $('unpaid-orders').innerHTML = (unpaid.orders || []).map(function (o) {
      return '<li><span>专柜购物<span class="when">' + esc(when(o.createdAt)) + '</span></span><span class="r">' + esc(yuan(o.totalFen)) + '</span></li>';
    }).join('');
    show('unpaid');
  }


  async function payUnpaid() {
    hideError();
    var b = $('btn-pay-unpaid');
    b.disabled = true;
    b.textContent = '支付中…';
    try {
      var unpaid = await api('GET', '/kiosk/me/unpaid');
      for (var i = 0; i < unpaid.orders.length; i++) await payOrder(unpaid.orders[i].orderId);
      await boot();
    } catch (e) {
      if (!e.handled) showError(e);
    } finally {
      b.disabled = false;
      b.textContent = '立即支付';
    }
  }

  // --- ready to open ---

  var cabinetName = '';
  var scanned = null;
  var SCAN_STATES = { OFFLINE: ['离线', 'off'], MAINTENANCE: ['维护中', 'warn'] };
  function setCabinetState(text, cls) {
    var c = $('cabinet-state');
    c.textContent = text;
    c.className = 'chip' + (cls ? ' ' + cls : '');
  }
  function showReady(state) {
    $('cabinet-name').textContent = cabinetName || '智能专柜';
    $('cabinet-code').textContent = cabinetCode;
    if (!state && scanned) state = SCAN_STATES[scanned.status] || (scanned.busy ? ['使用中', 'warn'] : null);
    if (state) setCabinetState(state[0], state[1]); else setCabinetState('待开门', '');
    var b = $('btn-open');
    b.disabled = false;
    b.className = 'btn-open';
    b.textContent = '开门';
    show('ready');
  }
  function renderHistory(items) {
    items.forEach(function (s) { if (s.cabinetCode === cabinetCode && s.cabinetName) cabinetName = s.cabinetName; });
    var done = items.filter(function (s) { return s.kind !== 'RESTOCK'; }).slice(0, 3);
    $('history-card').hidden = !done.length;
    $('history').innerHTML = done.map(function (s) {
      var what = (s.items || []).map(function (i) { return (i.productName || '商品') + '×' + i.quantity; }).join('、') || '未取商品';
      var st = s.status === 'SETTLED' ? (PAYMENT[s.payment] || ['', ''])[0] : STATUS[s.status] || s.status;
      return '<li><span>' + esc(what) + '<span class="when">' + esc(s.cabinetName) + ' · ' + esc(when(s.closedAt || s.expiresAt)) + '</span></span>' +
        '<span class="r">' + esc(yuan(s.totalFen)) + '<span class="when">' + esc(st) + '</span></span></li>';
    }).join('');
  }
  var OPEN_STATES = {
    'cabinet-offline': ['离线', 'off'],
    'cabinet-maintenance': ['维护中', 'warn'],
    'cabinet-busy': ['使用中', 'warn'],
    'cabinet-not-found': ['二维码无效', 'bad']
  };
  async function openDoor() {
    hideError();
    var b = $('btn-open');
    b.disabled = true;
    b.className = 'btn-open busy';
    b.textContent = '正在开门…';
    try {
      var s = await api('POST', '/kiosk/sessions', { qrUrl: location.href }, { 'Idempotency-Key': newKey() });
      track(s.id, s);
    } catch (e) {
      if (e.handled) return;
      if (e.code === 'payment-agreement-required') { show('agree'); showError(e); return; }
      if (e.code === 'unpaid-balance') {
        try { showUnpaid(await api('GET', '/kiosk/me/unpaid')); } catch (e2) { /* shown below */ }
        showError(e);
        return;
      }
      if (e.code === 'cabinet-not-found') cabinetName = '无法识别的专柜';
      showReady(OPEN_STATES[e.code]);
      if (e.code === 'cabinet-not-found') $('btn-open').disabled = true;
      showError(e);
    }
  }

  // --- the live session ---

  var poll = null;
  function stopPolling() {
    if (poll && poll.timer) clearTimeout(poll.timer);
    poll = null;
  }
  function track(id, first) {
    stopPolling();
    hideError();
    poll = { id: id, timer: null, since: Date.now(), settlingSince: 0, receipt: false, disputing: false, last: null };
    resetDispute();
    if (first) route(first);
    else { renderLive('UNLOCKING', null); schedule(0); }
  }
  function schedule(ms) {
    var mine = poll;
    if (!mine) return;
    clearTimeout(mine.timer);
    mine.timer = setTimeout(function () { tick(mine); }, ms);
  }
  async function tick(mine) {
    var s;
    try {
      s = await api('GET', '/kiosk/sessions/' + encodeURIComponent(mine.id));
    } catch (e) {
      if (e.handled || poll !== mine) return;
      if (e.status === 0 || e.status >= 500) { notice('网络不稳定，正在重试…'); schedule(2000); return; }
      showError(e);
      return;
    }
    if (poll !== mine) return;
    notice('');
    route(s);
  }
  // The households' share is known once the ledger allocated the sale (null until then).
  function householdKnown(s) {
    return s.householdFen !== null && s.householdFen !== undefined;
  }
  function settled(s) {
    return s.payment === 'PAID' ? householdKnown(s) : s.payment !== 'CHARGING' && s.payment !== 'NONE';
  }
  function route(s) {
    var p = poll;
    p.last = s;
    if (s.status === 'UNLOCKING' || s.status === 'OPEN') {
      renderLive(s.status, s);
      schedule(POLL_MS);
      return;
    }
    if (s.status !== 'SETTLED') {
      renderReceipt(s);
      return;
    }
    if (!p.settlingSince) p.settlingSince = Date.now();
    if (!settled(s) && !p.receipt && Date.now() - p.settlingSince < 20000) {
      renderLive('SETTLING', s);
      schedule(POLL_MS);
      return;
    }
    renderReceipt(s);
    // Keep the receipt current while money is still moving (a charge confirming, the ledger allocating).
    if ((!settled(s) || s.payment === 'UNPAID') && Date.now() - p.since < 300000) schedule(s.payment === 'UNPAID' ? 3000 : 1500);
  }
  function renderLive(state, s) {
    var text, hint, step, ico;
    if (state === 'UNLOCKING') { text = '正在开门…'; hint = '柜门解锁后，请拉开柜门'; step = 1; ico = ICONS.spin; }
    else if (state === 'OPEN') { text = '柜门已开，请取商品后关门'; hint = '关好柜门后将按实际取走的商品自动结算'; step = 2; ico = ICONS.door; }
    else { text = '正在结算…'; hint = '正在识别商品并扣款，请稍候'; step = 3; ico = ICONS.spin; }
    $('session-status').textContent = text;
    $('session-status').setAttribute('data-state', state);
    $('session-hint').textContent = hint;
    if ($('session-ico').getAttribute('data-state') !== state) {
      $('session-ico').innerHTML = ico;
      $('session-ico').setAttribute('data-state', state);
    }
    Array.prototype.forEach.call($('progress').children, function (d) {
      var n = Number(d.getAttribute('data-step'));
      d.className = n < step ? 'done' : n === step ? 'now' : '';
    });
    show('session');
  }

  // --- the receipt ---

  var REVIEW_REASONS = {
    DISPUTED: '您已提交申诉，工作人员正在核实',
    SESSION_LOST: '未收到柜门关闭信号，工作人员正在核实',
    NO_DOOR_OPENED: '未收到柜门打开信号，工作人员正在核实',
    NOT_CERTIFIED: '商品信息需人工核对',
    OUT_OF_TOLERANCE: '称重结果需人工核对',
    WEIGHT_GREW: '柜内重量增加，需人工核对',
    UNKNOWN_SLOT: '称重结果需人工核对',
    MISSING_READING: '称重数据不完整，需人工核对',
    UNLOCK_EXPIRED: '柜门未在规定时间内打开，本次未扣款',
    UNLOCK_NOT_SENT: '开门指令未能送达专柜，本次未扣款'
  };
  function reviewText(s) {
    var out = [];
    out.push('审核原因：' + (REVIEW_REASONS[s.reasonCode] || '工作人员正在核对本次购物'));
    if (s.disputeReason) out.push('您的申诉：' + s.disputeReason);
    if (s.resolutionNote) out.push('处理结果：' + s.resolutionNote);
    return out;
  }
  function renderReceipt(s) {
    var p = poll;
    if (p) p.receipt = true;
    var title, sub = '', ico;
    if (s.status === 'CANCELLED') {
      title = '未取商品，未扣款';
      ico = ICONS.info;
      sub = s.openedAt ? '柜门已关闭，本次没有取走商品' : '柜门未在规定时间内打开，本次已取消';
    } else if (s.status === 'REVIEW') {
      title = '订单审核中';
      ico = ICONS.review;
      sub = '工作人员核实后将按实际取走的商品处理';
    } else if (s.payment === 'UNPAID') {
      title = '扣款失败';
      ico = ICONS.bad;
      sub = '请点击“立即支付”完成付款';
    } else {
      title = s.payment === 'PAID' ? '购物完成' : STATUS[s.status] || '已完成';
      ico = s.payment === 'PAID' || s.payment === 'REFUNDED' || s.payment === 'PARTIALLY_REFUNDED' ? ICONS.ok : ICONS.spin;
    }
    if (!sub) sub = (s.cabinetName || '') + (s.closedAt ? ' · ' + when(s.closedAt) : '');
    $('receipt-title').textContent = title;
    $('receipt-sub').textContent = sub;
    $('view-receipt').setAttribute('data-status', s.status);
    $('view-receipt').setAttribute('data-payment', s.payment || '');
    if ($('receipt-ico').getAttribute('data-key') !== title) {
      $('receipt-ico').innerHTML = ico;
      $('receipt-ico').setAttribute('data-key', title);
    }
    var items = s.items || [];
    $('receipt-items').hidden = !items.length;
    $('receipt-head').className = 'rc-head' + (items.length || s.status === 'REVIEW' ? '' : ' bare');
    $('receipt-items').innerHTML = items.map(function (i) {
      return '<li data-testid="receipt-item"><span class="nm">' + esc(i.productName || '商品') + ' × ' + esc(i.quantity) +
        '<span class="up">单价 ' + esc(yuan(i.unitPriceFen)) + '</span></span><span class="am">' + esc(yuan(i.amountFen)) + '</span></li>';
    }).join('');
    var charged = s.status !== 'CANCELLED' && items.length > 0;
    $('receipt-money').hidden = !charged;
    $('receipt-total').textContent = yuan(s.totalFen);
    var pay = PAYMENT[s.payment] || [s.status === 'REVIEW' ? '待审核' : '—', 'pay-wait'];
    if (s.status === 'REVIEW' && (s.payment === 'NONE' || !s.payment)) pay = ['审核后结算', 'pay-wait'];
    $('receipt-payment').textContent = pay[0];
    $('receipt-payment').className = 'v ' + pay[1];
    $('btn-pay-receipt').hidden = !(s.payment === 'UNPAID' && s.orderId);
    var house = $('receipt-household');
    if (charged && (s.payment !== 'PAID' || householdKnown(s)) && s.householdFen !== null && s.householdFen !== undefined) {
      house.className = 'house';
      house.innerHTML = ICONS.heart + '<span>其中 ' + esc(yuan(s.householdFen)) + ' 进入脱贫户收入</span>';
      house.hidden = false;
    } else if (charged && s.payment === 'PAID') {
      house.className = 'house pending';
      house.textContent = '正在核算进入脱贫户收入的金额…';
      house.hidden = false;
    } else {
      house.hidden = true;
    }
    var review = $('receipt-review');
    if (s.status === 'REVIEW') {
      review.innerHTML = reviewText(s).map(function (l) { return '<div>' + esc(l) + '</div>'; }).join('');
      review.hidden = false;
    } else {
      review.hidden = true;
    }
    var formOpen = !$('dispute-form').hidden;
    $('dispute-card').hidden = !(s.disputable || formOpen);
    show('receipt');
  }
  async function payFromReceipt() {
    var p = poll;
    if (!p || !p.last || !p.last.orderId) return;
    hideError();
    var b = $('btn-pay-receipt');
    b.disabled = true;
    b.textContent = '支付中…';
    try {
      await payOrder(p.last.orderId);
      if (poll !== p) return;
      p.since = Date.now();
      var s = await api('GET', '/kiosk/sessions/' + encodeURIComponent(p.id));
      if (poll !== p) return;
      route(s);
    } catch (e) {
      if (!e.handled) showError(e);
    } finally {
      b.disabled = false;
      b.textContent = '立即支付';
    }
  }

  // --- disputes ---

  function resetDispute() {
    $('dispute-form').hidden = true;
    $('btn-dispute').hidden = false;
    $('dispute-done').hidden = true;
    $('dispute-reason').value = '';
  }
  function openDispute() {
    $('btn-dispute').hidden = true;
    $('dispute-form').hidden = false;
    $('dispute-reason').focus();
  }
  function cancelDispute() {
    $('dispute-form').hidden = true;
    $('btn-dispute').hidden = false;
    if (poll && poll.last) renderReceipt(poll.last);
  }
  async function submitDispute() {
    var p = poll;
    if (!p) return;
    hideError();
    var reason = $('dispute-reason').value.trim();
    if (!reason || reason.length > 500) { showError(FIELDS.reason); $('dispute-reason').focus(); return; }
    var b = $('btn-dispute-submit');
    b.disabled = true;
    b.textContent = '提交中…';
    try {
      var s = await api('POST', '/kiosk/sessions/' + encodeURIComponent(p.id) + '/dispute', { reason: reason }, { 'Idempotency-Key': newKey() });
      if (poll !== p) return;
      clearTimeout(p.timer);
      $('dispute-form').hidden = true;
      p.last = s;
      renderReceipt(s);
      $('dispute-done').hidden = false;
    } catch (e) {
      if (!e.handled) showError(e);
    } finally {
      b.disabled = false;
      b.textContent = '提交申诉';
    }
  }

  // --- wiring ---

  $('btn-otp').addEventListener('click', requestCode);
  $('btn-login').addEventListener('click', signIn);
  $('code').addEventListener('keydown', function (e) { if (e.key === 'Enter') signIn(); });
  $('phone').addEventListener('keydown', function (e) { if (e.key === 'Enter') requestCode(); });
  $('btn-agree').addEventListener('click', agree);
  $('btn-pay-unpaid').addEventListener('click', payUnpaid);
  $('btn-open').addEventListener('click', openDoor);
  $('btn-pay-receipt').addEventListener('click', payFromReceipt);
  $('btn-dispute').addEventListener('click', openDispute);
  $('btn-dispute-cancel').addEventListener('click', cancelDispute);
  $('btn-dispute-submit').addEventListener('click', submitDispute);
  $('btn-again').addEventListener('click', function () { hideError(); boot(); });
  $('btn-retry').addEventListener('click', function () { hideError(); boot(); });
  $('btn-logout').addEventListener('click', function () { hideError(); signOut(); });
  boot();
})();
</script>
</body>
</html>
`;
