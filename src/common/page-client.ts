/**
 * The browser helpers every page the service serves shares (the cabinet's citizen page, the livestream's
 * viewer page and host dashboard): plain ES5-style functions in a string, embedded inside each page's own
 * closure. Money is shown from integer fen only. `request` is the API call; each page wraps it as `api()`,
 * which knows where the page keeps its token and what a 401 means to it.
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
`;
