import { readFileSync } from 'node:fs';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, phoneContext, screenshot, watchErrors } from './support/browser';
import { API, buy, citizens, LiveFixture, liveSession } from './support/live';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const WAIT = { timeout: 20_000 };
/** How soon a change must reach a page by its stream. */
const PUSH = { timeout: 5_000 };

/**
 * The livestream's two pages driven in headless Chromium against the real app: the host signs in on the
 * dashboard and goes live; a viewer on a phone signs in by SMS code, buys two boxes and pays with the sandbox;
 * the dashboard shows the sale without reloading (pushed by its stats stream); buying past the per-buyer
 * limit and past the stock shows why in Chinese; ending the session shows 已结束 on both pages. Every state
 * is screenshotted into test-results/screenshots (live-dashboard-*.png, live-viewer-*.png).
 */
describe('the livestream viewer page and host dashboard (headless Chromium)', () => {
  let t: TestApp;
  let fx: LiveFixture;
  /** Another host's session (2 units, no limit). */
  let other: LiveFixture;
  let browser: Browser;
  let hostContext: BrowserContext;
  let viewerContext: BrowserContext;
  let dash: Page;
  let viewer: Page;
  const phone = '13900000041';
  const pageErrors: string[] = [];
  /** Every request the dashboard made for figures: the one stream, and never a poll. */
  const statsRequests: string[] = [];

  beforeAll(async () => {
    t = await startTestApp('livepages', { role: 'all', listen: true });
    fx = await liveSession(t, { stock: 100, perBuyerLimit: 2, start: false });
    browser = await launchChromium();
    hostContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    });
    viewerContext = await phoneContext(browser);
    dash = await hostContext.newPage();
    watch(dash);
    dash.on('request', (r) => {
      if (r.url().includes('/stats')) {
        statsRequests.push(`${r.method()} ${new URL(r.url()).pathname}`);
      }
    });
    viewer = await viewerContext.newPage();
    watch(viewer);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    // No script error and no CSP violation on either page, ever.
    expect(pageErrors).toEqual([]);
  });

  const watch = (p: Page) => watchErrors(p, pageErrors);

  const shot = (p: Page, name: string) => screenshot(p, `live-${name}`);
  const text = (p: Page, sel: string) => p.locator(sel).innerText();
  const visible = (p: Page, sel: string) => p.waitForSelector(sel, { state: 'visible', ...WAIT });
  const offer = (sel: string, id = fx.offerId) => `#offer-${id}-${sel}`;

  /** Waits until every selector's text is exactly the one given (within `timeout`), then asserts it. */
  async function texts(p: Page, want: Record<string, string>, timeout = WAIT.timeout): Promise<void> {
    await p
      .waitForFunction(
        (w: Record<string, string>) =>
          Object.entries(w).every(
            ([s, v]) => (globalThis as any).document.querySelector(s)?.textContent.trim() === v,
          ),
        want,
        { timeout },
      )
      .catch(() => undefined);
    const got: Record<string, string> = {};
    for (const sel of Object.keys(want)) {
      got[sel] = (await p.locator(sel).textContent())?.trim() ?? '';
    }
    expect(got).toEqual(want);
  }

  /** The login code the dev SMS outbox holds for a phone. */
  async function smsCode(to: string): Promise<string> {
    return until('the login code', async () => {
      const r = await t.http().get(`${API}/dev/sms?phone=${to}`);
      return (r.body as { text: string }[]).map((m) => /\b(\d{6})\b/.exec(m.text)?.[1]).find(Boolean);
    });
  }

  /** Signs in on the viewer page's login form by SMS code. */
  async function signIn(p: Page, to: string): Promise<void> {
    await p.fill('#phone', to);
    await p.click('#btn-otp');
    await visible(p, '#code');
    await p.fill('#code', await smsCode(to));
    await p.click('#btn-login');
  }

  /** HH:MM of an instant in Beijing time, as the page shows it. */
  const beijingTime = (iso: string) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Shanghai',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(iso));

  it('the host signs in on the dashboard and goes live; the viewer page turns live by itself', async () => {
    await viewer.goto(fx.shareUrl);
    await visible(viewer, '#view-offers');
    await texts(viewer, {
      '#status': '未开播',
      '#title': '万州柑橘助农直播',
      '#host': '主播：分水镇党委书记 李明',
      [offer('buy')]: '未开播',
    });
    expect(await viewer.isDisabled(offer('buy'))).toBe(true);
    await shot(viewer, 'viewer-scheduled');

    await dash.goto(`${t.env.PUBLIC_BASE_URL}/h/${fx.sessionId}`);
    await visible(dash, '#view-login');
    await shot(dash, 'dashboard-signin');

    await dash.fill('#username', `host-${fx.hostId.toLowerCase()}`);
    await dash.fill('#password', 'host-pass-123');
    await dash.click('#btn-login');
    await visible(dash, '#view-board');
    await texts(dash, { '#status': '未开播', '#title': '万州柑橘助农直播', '#conn-text': '实时连接中' });
    expect(await dash.isVisible('#btn-start')).toBe(true);
    expect(await dash.isHidden('#btn-end')).toBe(true);
    expect(await dash.getAttribute('#qr', 'src')).toBe(
      `${t.env.PUBLIC_BASE_URL}${API}/live/sessions/${fx.sessionId}/qr.png`,
    );
    expect(await text(dash, '#share-url')).toBe(fx.shareUrl);
    // The QR poster loads (the page's CSP allows images from the page's own origin).
    await dash.waitForFunction(
      () => (globalThis as any).document.getElementById('qr').naturalWidth > 0,
      null,
      WAIT,
    );
    expect(await dash.evaluate<number>("document.getElementById('qr').naturalWidth")).toBe(600);
    await shot(dash, 'dashboard-scheduled');

    await dash.click('#btn-start');
    await texts(dash, {
      '#status': '直播中',
      '#gmv': '¥0.00',
      '#paid-orders': '0',
      '#pending-orders': '0',
      '#units': '0',
      '#buyers': '0',
      [offer('name')]: '万州玫瑰香橙',
      [offer('price')]: '¥39.90',
      [offer('sold')]: '0',
      [offer('reserved')]: '0',
      [offer('remaining')]: '100',
      [offer('gmv')]: '¥0.00',
      '#conn-text': '实时连接中',
    });
    expect(await dash.isHidden('#btn-start')).toBe(true);
    expect(await dash.isVisible('#btn-end')).toBe(true);
    expect(await text(dash, '#times')).toMatch(/^开播于 \d+月\d+日 \d\d:\d\d$/);
    expect(await dash.locator('#chart rect.bar').count()).toBe(0);
    await shot(dash, 'dashboard-live');

    const s = await t.http().get(`${API}/live/sessions/${fx.sessionId}`).set('Authorization', fx.hostToken);
    expect(s.body.status).toBe('LIVE');

    // The viewer's page learns it from its stream, without a reload.
    await texts(viewer, { '#status': '直播中', [offer('buy')]: '抢购' }, PUSH.timeout);
    expect(await viewer.isEnabled(offer('buy'))).toBe(true);
  });

  it('a viewer signs in by SMS code, buys two and pays with the sandbox', async () => {
    await dash.evaluate('window.notReloaded = true');
    await texts(viewer, {
      [offer('name')]: '万州玫瑰香橙',
      [offer('price')]: '¥39.90',
      [offer('remaining')]: '剩余 100 件',
      [offer('limit')]: '每人限购 2 件',
      [offer('qty')]: '1',
    });
    expect(await viewer.isDisabled(offer('minus'))).toBe(true);
    await viewer.click(offer('plus'));
    expect(await text(viewer, offer('qty'))).toBe('2');
    // The per-buyer limit is the most one can choose.
    expect(await viewer.isDisabled(offer('plus'))).toBe(true);
    await shot(viewer, 'viewer-live');

    await viewer.click(offer('buy'));
    await visible(viewer, '#view-login');
    await shot(viewer, 'viewer-signin');
    await signIn(viewer, phone);

    // Signed in, the purchase goes on by itself: the units are locked until the deadline.
    await visible(viewer, '#view-order[data-status="PENDING_PAYMENT"]');
    const token = await viewer.evaluate<string>("sessionStorage.getItem('live.token')");
    const { orderId } = JSON.parse(
      await viewer.evaluate<string>(`sessionStorage.getItem('live.order.${fx.sessionId}')`),
    ) as { orderId: string };
    const placed = await t.http().get(`${API}/orders/${orderId}`).set('Authorization', `Bearer ${token}`);
    expect(placed.body).toMatchObject({ status: 'PENDING_PAYMENT', totalFen: 7980 });
    await texts(viewer, {
      '#order-title': '抢购成功',
      '#order-message': `订单已锁定，请在 ${beijingTime(placed.body.payBy)} 前支付`,
      '#order-item': '万州玫瑰香橙 × 2',
      '#order-total': '¥79.80',
      '#btn-pay': '支付',
      [offer('remaining')]: '剩余 98 件',
    });
    expect(await viewer.isHidden('#error')).toBe(true);
    expect(await text(viewer, '#who')).toBe('已登录 139****0041');
    await shot(viewer, 'viewer-locked');

    // The dashboard shows the locked units and the unpaid order at once.
    await texts(
      dash,
      {
        '#gmv': '¥0.00',
        '#paid-orders': '0',
        '#pending-orders': '1',
        [offer('reserved')]: '2',
        [offer('remaining')]: '98',
      },
      PUSH.timeout,
    );
    await shot(dash, 'dashboard-pending');

    await viewer.click('#btn-pay');
    await visible(viewer, '#view-order[data-status="PAID"]');
    await texts(viewer, {
      '#order-title': '支付成功',
      '#order-total': '¥79.80',
      [offer('remaining')]: '剩余 98 件',
    });
    expect(await viewer.isHidden('#btn-pay')).toBe(true);
    await shot(viewer, 'viewer-paid');
    const paid = await t.http().get(`${API}/orders/${orderId}`).set('Authorization', `Bearer ${token}`);
    expect(paid.body.status).toBe('PAID');
  });

  it('the dashboard shows the sale within 5 s, pushed by its stream (no reload, no polling)', async () => {
    await texts(
      dash,
      {
        '#gmv': '¥79.80',
        '#paid-orders': '1',
        '#pending-orders': '0',
        '#units': '2',
        '#buyers': '1',
        [offer('sold')]: '2',
        [offer('reserved')]: '0',
        [offer('remaining')]: '98',
        [offer('gmv')]: '¥79.80',
        '#conn-text': '实时连接中',
      },
      PUSH.timeout,
    );
    expect(await dash.evaluate<boolean>('window.notReloaded === true')).toBe(true);
    expect(statsRequests).toEqual([`GET ${API}/live/sessions/${fx.sessionId}/stats/stream`]);

    // One bar: this minute's sale.
    const bars = dash.locator('#chart rect.bar');
    expect(await bars.count()).toBe(1);
    expect(await bars.getAttribute('data-fen')).toBe('7980');
    expect(await bars.getAttribute('data-units')).toBe('2');
    expect(await text(dash, '#chart-caption')).toBe('每分钟成交额（元）');

    // The page agrees with the API.
    const stats = await t
      .http()
      .get(`${API}/live/sessions/${fx.sessionId}/stats`)
      .set('Authorization', fx.hostToken);
    expect(stats.body).toMatchObject({ gmvFen: 7980, paidOrders: 1, pendingOrders: 0, units: 2, buyers: 1 });
    await shot(dash, 'dashboard-sale');

    // The report, fetched with the host's token and saved as a file.
    const [download] = await Promise.all([dash.waitForEvent('download', WAIT), dash.click('#btn-report')]);
    expect(download.suggestedFilename()).toBe(`live-${fx.sessionId}-report.csv`);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('\uFEFF场次,万州柑橘助农直播');
    expect(csv).toEqual(
      expect.arrayContaining([
        '成交额(元),79.80',
        '成交额(分),7980',
        '支付订单数,1',
        '成交件数,2',
        '买家数,1',
        `1,${fx.productId},万州玫瑰香橙,2,79.80,7980`,
      ]),
    );

    // The same dashboard on a phone.
    await dash.setViewportSize({ width: 390, height: 844 });
    await dash.waitForFunction(
      () => Number((globalThis as any).document.getElementById('chart').getAttribute('width')) < 400,
    );
    await shot(dash, 'dashboard-phone');
    await dash.setViewportSize({ width: 1280, height: 900 });
  });

  it('buying past the per-buyer limit, or past what is left, shows why in Chinese', async () => {
    // The same viewer, holding 2 of at most 2, tries one more.
    await viewer.click('#btn-continue');
    await texts(viewer, { [offer('qty')]: '1' });
    expect(await viewer.isHidden('#view-order')).toBe(true);
    await viewer.click(offer('buy'));
    await visible(viewer, '#error[data-code="limit-exceeded"]');
    expect(await text(viewer, '#error-message')).toBe('超出每人限购数量：每人限购 2 件，您已抢购 2 件。');
    expect(await viewer.isHidden('#view-order')).toBe(true);
    await texts(viewer, { [offer('remaining')]: '剩余 98 件' });
    await shot(viewer, 'viewer-limit-exceeded');

    // A second viewer on another session with 2 left, whose page does not hear the stream (a slow network):
    // another buyer takes one while this viewer has chosen 2.
    other = await liveSession(t, { regions: false, stock: 2 });
    const ctx = await phoneContext(browser);
    try {
      const p = await ctx.newPage();
      watch(p);
      await p.route('**/public/stream', () => undefined);
      await p.goto(other.shareUrl);
      await visible(p, '#view-offers');
      await texts(p, { '#status': '直播中', [offer('remaining', other.offerId)]: '剩余 2 件' });
      expect(await p.isHidden(offer('limit', other.offerId))).toBe(true);
      await p.click(offer('plus', other.offerId));
      expect(await text(p, offer('qty', other.offerId))).toBe('2');

      const [rival1, rival2] = await citizens(t, 2, '136');
      expect(await buy(t, other, rival1, 1)).toMatchObject({ status: 201 });

      await p.click(offer('buy', other.offerId));
      await visible(p, '#view-login');
      await signIn(p, '13900000042');
      await visible(p, '#error[data-code="sold-out"]');
      expect(await text(p, '#error-message')).toBe('手慢了，仅剩 1 件，请减少购买数量后再试。');
      // The page reads what is left again after a refusal.
      await texts(p, {
        [offer('remaining', other.offerId)]: '剩余 1 件',
        [offer('qty', other.offerId)]: '1',
      });
      expect(await p.isHidden('#view-order')).toBe(true);
      await shot(p, 'viewer-sold-out-few-left');

      expect(await buy(t, other, rival2, 1)).toMatchObject({ status: 201 });
      await p.click(offer('buy', other.offerId));
      await texts(p, {
        '#error-message': '手慢了，已抢光。',
        [offer('remaining', other.offerId)]: '剩余 0 件',
        [offer('buy', other.offerId)]: '已售罄',
      });
      expect(await p.isDisabled(offer('buy', other.offerId))).toBe(true);
      await shot(p, 'viewer-sold-out');
    } finally {
      await ctx.close();
    }

    // Neither refusal counted anywhere.
    await texts(dash, { '#paid-orders': '1', '#pending-orders': '0', [offer('remaining')]: '98' });
  });

  it('下播 ends the session: 已结束 on the dashboard, and on the viewer page with its button disabled', async () => {
    await dash.click('#btn-end');
    await visible(dash, '#end-confirm');
    await shot(dash, 'dashboard-end-confirm');
    await dash.click('#btn-end-confirm');
    await texts(dash, {
      '#status': '已结束',
      '#gmv': '¥79.80',
      '#paid-orders': '1',
      '#units': '2',
      '#buyers': '1',
      [offer('sold')]: '2',
      [offer('remaining')]: '0',
    });
    expect(await dash.isHidden('#btn-start')).toBe(true);
    expect(await dash.isHidden('#btn-end')).toBe(true);
    expect(await dash.isVisible('#ended-note')).toBe(true);
    expect(await text(dash, '#times')).toMatch(/^直播时间 \d+月\d+日 \d\d:\d\d – \d\d:\d\d$/);
    await shot(dash, 'dashboard-ended');
    const s = await t.http().get(`${API}/live/sessions/${fx.sessionId}`).set('Authorization', fx.hostToken);
    expect(s.body.status).toBe('ENDED');

    // The viewer's page, not reloaded, hears it from its stream.
    await texts(
      viewer,
      {
        '#status': '已结束',
        '#status-note': '本场直播已结束，感谢您对助农好物的支持',
        [offer('buy')]: '已结束',
        [offer('remaining')]: '剩余 0 件',
      },
      PUSH.timeout,
    );
    expect(await viewer.isDisabled(offer('buy'))).toBe(true);
    expect(await viewer.isDisabled(offer('plus'))).toBe(true);
    await shot(viewer, 'viewer-ended');
  });

  it('an unknown session, a broken link, and another host’s session are told in Chinese', async () => {
    for (const id of ['01ZZZZZZZZZZZZZZZZZZZZZZZZ', 'not-a-session']) {
      await viewer.goto(`${t.env.PUBLIC_BASE_URL}/l/${id}`);
      await visible(viewer, '#error');
      expect(await text(viewer, '#error-message')).toBe('未找到该直播场次，请确认链接是否正确。');
      expect(await viewer.isHidden('#view-loading')).toBe(true);
      expect(await viewer.isHidden('#view-offers')).toBe(true);
    }
    await shot(viewer, 'viewer-not-found');

    // The dashboard tab is still signed in as the first session's host.
    await dash.goto(`${t.env.PUBLIC_BASE_URL}/h/01ZZZZZZZZZZZZZZZZZZZZZZZZ`);
    await visible(dash, '#error');
    expect(await text(dash, '#error-message')).toBe('未找到该直播场次，请确认链接是否正确。');
    expect(await dash.isHidden('#view-loading')).toBe(true);
    expect(await dash.isHidden('#view-board')).toBe(true);

    await dash.goto(`${t.env.PUBLIC_BASE_URL}/h/${other.sessionId}`);
    await visible(dash, '#view-login');
    expect(await text(dash, '#error-message')).toBe('这不是您的直播场次，请使用本场主播或管理员账号登录。');
    await shot(dash, 'dashboard-not-yours');
  });
});
