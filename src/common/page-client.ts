/**
 * The browser helpers every page the service serves shares (the cabinet's citizen page, the livestream's
 * viewer page and host dashboard): plain ES5-style functions in a string, embedded inside each page's own
 * closure. Money is shown from integer fen only. `request` is the API call; each page wraps it as `api()`,
 * which knows where the page keeps its token and what a 401 means to it, and declares message(e), its words
 * for an error.
 */
export const PAGE_CLIENT = String.raw`
  var API = '/api/v1';

  function $(id) { return document.getElementById(id); }
  function esc(v) {
    return String(v == null ? '' : v).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function pad2(n) { return String(n).padStart(2, '0'); }
  /** Fen as yuan with two decimals, from integers only. */
  function yuanDigits(fen) {
    var f = Math.abs(Math.trunc(Number(fen) || 0));
    return (fen < 0 ? '-' : '') + Math.floor(f / 100) + '.' + pad2(f % 100);
  }
  function yuan(fen) {
    var d = yuanDigits(fen);
    return d.charAt(0) === '-' ? '-¥' + d.slice(1) : '¥' + d;
  }
  function when(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    return (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + pad2(d.getHours()) + ':' + pad2(d.getMinutes());
  }
  function maskPhone(p) { return p && p.length === 11 ? p.slice(0, 3) + '****' + p.slice(7) : ''; }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return 'k' + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }

  /** Shows an error (an ApiError or a message) in the page's #error box, in the page's own words (message()). */
  function showError(e) {
    var m = message(e);
    $('error-message').textContent = m;
    $('error').setAttribute('data-code', (e && e.code) || '');
    $('error').hidden = !m;
    if (m) window.scrollTo(0, 0);
  }
  function hideError() { $('error').hidden = true; }
  function notice(text) { $('notice').textContent = text || ''; $('notice').hidden = !text; }

  function ApiError(status, body, retryAfter) {
    this.status = status;
    this.code = (body && body.code) || (status === 0 ? 'network' : 'http-' + status);
    this.detail = body && body.detail;
    this.title = body && body.title;
    this.errors = body && body.errors;
    this.retryAfter = retryAfter;
  }
  /** Calls the API with the page's token (if any); an error answer throws an ApiError with its problem code. */
  async function request(method, path, body, headers, token) {
    var h = { accept: 'application/json' };
    if (token) h.authorization = 'Bearer ' + token;
    if (body !== undefined) h['content-type'] = 'application/json';
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    var res;
    try {
      res = await fetch(API + path, { method: method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
    } catch (e) {
      throw new ApiError(0, null);
    }
    var data = null;
    var text = await res.text();
    if (text) { try { data = JSON.parse(text); } catch (e) { data = null; } }
    if (!res.ok) throw new ApiError(res.status, data, Number(res.headers.get('retry-after')) || 0);
    return data;
  }
  /**
   * Pays an order with the sandbox provider and waits until the provider's verdict reaches it: PAID (or no
   * longer awaiting payment), or an ApiError (payment-declined, payment-timeout). Uses the page's api().
   */
  async function payOrder(orderId) {
    var payment;
    try {
      payment = await api('POST', '/orders/' + encodeURIComponent(orderId) + '/payments', { provider: 'sandbox' }, { 'Idempotency-Key': newKey() });
    } catch (e) {
      if (e.code === 'order-not-payable') return;
      throw e;
    }
    var deadline = Date.now() + 45000;
    while (Date.now() < deadline) {
      var o = await api('GET', '/orders/' + encodeURIComponent(orderId), undefined, { prefer: 'wait=5' });
      if (o.status !== 'PENDING_PAYMENT') return;
      if (payment && payment.id) {
        var p = await api('GET', '/payments/' + encodeURIComponent(payment.id));
        if (p.status === 'FAILED' || p.status === 'CANCELLED') throw new ApiError(402, { code: 'payment-declined' });
      }
      await sleep(300);
    }
    throw new ApiError(504, { code: 'payment-timeout' });
  }
`;

/**
 * Signing in by SMS code, for pages whose form has the ids phone, code, code-row, otp-sent, btn-otp and
 * btn-login. The page declares TOKEN_KEY, PHONE_KEY, FIELDS (messages for phone and code), api, store,
 * showError and hideError; `verifyCode` answers true once signed in, and the page goes on from there.
 */
export const PAGE_PHONE_SIGN_IN = String.raw`
  var otpCountdown = null;
  function startCountdown(seconds) {
    var left = seconds;
    var b = $('btn-otp');
    clearInterval(otpCountdown);
    b.disabled = true;
    b.textContent = left + ' 秒后重发';
    otpCountdown = setInterval(function () {
      left -= 1;
      if (left <= 0) {
        clearInterval(otpCountdown);
        b.disabled = false;
        b.textContent = '重新获取';
      } else {
        b.textContent = left + ' 秒后重发';
      }
    }, 1000);
  }
  function validPhone(p) { return /^1[0-9]{10}$/.test(p); }
  async function requestCode() {
    hideError();
    var phone = $('phone').value.trim();
    if (!validPhone(phone)) { showError(FIELDS.phone); $('phone').focus(); return; }
    var b = $('btn-otp');
    b.disabled = true;
    try {
      var sent = (await api('POST', '/auth/otp/request', { phone: phone })) || {};
      var minutes = Math.round((Number(sent.expiresIn) || 0) / 60);
      $('otp-sent').textContent = '验证码已发送至 ' + maskPhone(phone) + (minutes > 0 ? '，' + minutes + ' 分钟内有效' : '');
      $('code-row').hidden = false;
      $('btn-login').hidden = false;
      if (sent.resendAfter > 0) startCountdown(Number(sent.resendAfter));
      else b.disabled = false;
      $('code').focus();
    } catch (e) {
      if (e.code === 'too-many-requests') {
        $('code-row').hidden = false;
        $('btn-login').hidden = false;
        startCountdown(e.retryAfter || 60);
      } else {
        b.disabled = false;
      }
      showError(e);
    }
  }
  async function verifyCode() {
    hideError();
    var phone = $('phone').value.trim();
    var code = $('code').value.trim();
    if (!validPhone(phone)) { showError(FIELDS.phone); return false; }
    if (!/^[0-9]{6}$/.test(code)) { showError(FIELDS.code); $('code').focus(); return false; }
    var b = $('btn-login');
    b.disabled = true;
    b.textContent = '登录中…';
    try {
      var r = await api('POST', '/auth/otp/verify', { phone: phone, code: code });
      store(TOKEN_KEY, r.accessToken);
      store(PHONE_KEY, phone);
      $('code').value = '';
      return true;
    } catch (e) {
      showError(e);
      return false;
    } finally {
      b.disabled = false;
      b.textContent = '登录';
    }
  }
`;

/**
 * Signing in by username and password, for staff pages whose form has the ids username, password and btn-login.
 * The page declares TOKEN_KEY, FIELDS (messages for username and password), api, store, showError and hideError.
 * `staffSignIn(allowed, refused, done)`: a user whose roles `allowed(roles)` refuses is told `refused`; otherwise
 * the token is kept and `done(answer, username)` opens the page.
 */
export const PAGE_STAFF_SIGN_IN = String.raw`
  async function staffSignIn(allowed, refused, done) {
    hideError();
    var username = $('username').value.trim();
    var password = $('password').value;
    if (!username) { showError(FIELDS.username); $('username').focus(); return; }
    if (!password) { showError(FIELDS.password); $('password').focus(); return; }
    var b = $('btn-login');
    b.disabled = true;
    b.textContent = '登录中…';
    try {
      var r = await api('POST', '/auth/login', { username: username, password: password });
      if (!allowed((r.user && r.user.roles) || [])) { showError(refused); return; }
      store(TOKEN_KEY, r.accessToken);
      $('password').value = '';
      await done(r, username);
    } catch (e) {
      showError(e);
    } finally {
      b.disabled = false;
      b.textContent = '登录';
    }
  }
`;
