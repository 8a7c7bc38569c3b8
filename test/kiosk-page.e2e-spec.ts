import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, phoneContext, screenshot, watchErrors } from './support/browser';
import { SandboxProvider } from '@/infrastructure/payments/sandbox.provider';
import { CabinetSimulator } from '@/modules/kiosk/device/cabinet-simulator';
import { StockedCabinet, stockedCabinet } from './support/kiosk';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const WAIT = { timeout: 20_000 };

/**
 * The page a cabinet's QR code opens, driven in headless Chromium on a phone-sized screen against the real
 * app, broker and cabinet simulator: sign in by SMS code, agree to pay after use, open the door, take two
 * boxes of tea, close it, read the receipt, dispute it; a declined charge paid from the receipt and from the
 * unpaid-balance screen; a forged QR code. Every state is screenshotted into test-results/screenshots.
 */
describe('the citizen page of a smart cabinet (headless Chromium)', () => {
  let t: TestApp;
  let c: StockedCabinet;
  let sim: CabinetSimulator;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const phone = '13900000021';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp('kioskpage', { role: 'all', listen: true });
    c = await stockedCabinet(t, 'page');
    sim = c.sim;
    await until('the cabinet online', async () => {
      const r = await t.http().get(`/api/v1/cabinets/${c.code}`).set('Authorization', t.adminToken);
      return r.body.status === 'ONLINE';
    });
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
    watch(page);
  });

  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await t?.close();
  });

  afterEach(() => {
    // No script error and no CSP violation on the page, ever.
    expect(pageErrors).toEqual([]);
  });

  const watch = (p: Page) => watchErrors(p, pageErrors);

  const shot = (p: Page, name: string) => screenshot(p, `kiosk-${name}`);
  const text = (p: Page, sel: string) => p.locator(sel).innerText();
  const visible = (p: Page, sel: string) => p.waitForSelector(sel, { state: 'visible', ...WAIT });

  /** Presses 开门 and waits until the simulator got the UNLOCK and the page says the door is open. */
  async function openDoor(p: Page): Promise<string> {
    const unlock = new Promise<Record<string, unknown>>((resolve) => sim.once('unlock', resolve));
    await p.click('#btn-open');
    const sessionId = (await unlock).sessionId as string;
    await visible(p, '#session-status[data-state="OPEN"]');
    expect(await text(p, '#session-status')).toBe('柜门已开，请取商品后关门');
    return sessionId;
  }

  /** Closes the door; screenshots 正在结算… if the page shows it before the receipt. */
  async function closeAndCatchSettling(p: Page, name: string): Promise<void> {
    const settling = p
      .waitForSelector('#session-status[data-state="SETTLING"]', { state: 'visible', timeout: 5_000 })
      .then(async () => {
        expect(await text(p, '#session-status')).toBe('正在结算…');
        await shot(p, name);
      })
      .catch(() => undefined);
    await sim.closeDoor();
    await Promise.race([settling, visible(p, '#view-receipt')]);
  }

  const sessionOf = async (id: string) =>
    (await t.http().get(`/api/v1/kiosk/sessions/${id}`).set('Authorization', t.adminToken)).body;

  it('signs in by SMS, agrees, opens, takes two boxes of tea, reads the receipt and disputes it', async () => {
    await page.goto(c.qrUrl);
    await visible(page, '#view-login');
    await shot(page, 'signin');

    await page.fill('#phone', phone);
    await page.click('#btn-otp');
    await visible(page, '#code');
    const sms = await until('the login code', async () => {
      const r = await t.http().get(`/api/v1/dev/sms?phone=${phone}`);
      return (r.body as { text: string }[]).map((m) => /\b(\d{6})\b/.exec(m.text)?.[1]).find(Boolean);
    });
    expect(await text(page, '#btn-otp')).toMatch(/秒后重发/);

    // A wrong code first: the answer is shown in Chinese.
    await page.fill('#code', sms === '123456' ? '654321' : '123456');
    await page.click('#btn-login');
    await visible(page, '#error');
    expect(await text(page, '#error-message')).toMatch(/^验证码错误，还可尝试 \d+ 次。$/);
    await shot(page, 'signin-wrong-code');

    await page.fill('#code', sms);
    await page.click('#btn-login');
    await visible(page, '#view-agree');
    expect(await page.isHidden('#error')).toBe(true);
    expect(await text(page, '#view-agree')).toContain('先用后付');
    await shot(page, 'agreement');

    await page.click('#btn-agree');
    await visible(page, '#view-ready');
    expect(await text(page, '#btn-open')).toBe('开门');
    expect(await text(page, '#cabinet-code')).toBe(c.code);
    await shot(page, 'ready');

    const id = await openDoor(page);
    await shot(page, 'door-open');
    sim.take(1, 500);
    await closeAndCatchSettling(page, 'settling');

    await visible(page, '#view-receipt[data-payment="PAID"] #receipt-household:not(.pending)');
    expect(await text(page, '#receipt-title')).toBe('购物完成');
    const items = await page.locator('[data-testid="receipt-item"]').allInnerTexts();
    expect(items).toHaveLength(1);
    expect(items[0]).toContain('三峡绿茶 × 2');
    expect(items[0]).toContain('¥59.80');
    expect(await text(page, '#receipt-total')).toBe('¥59.80');
    expect(await text(page, '#receipt-payment')).toBe('已支付');
    expect(await text(page, '#receipt-household')).toBe('其中 ¥59.80 进入脱贫户收入');
    expect(await page.isHidden('#btn-pay-receipt')).toBe(true);
    await shot(page, 'receipt');

    const receipt = await until('the SMS receipt', async () => {
      const r = await t.http().get(`/api/v1/dev/sms?phone=${phone}`);
      return (r.body as { text: string }[]).find((m) => m.text.includes('合计'));
    });
    expect(receipt.text).toContain('合计¥59.80');

    await page.click('#btn-dispute');
    await visible(page, '#dispute-reason');
    await page.fill('#dispute-reason', '我只拿了一盒茶叶，却被扣了两盒的钱');
    await shot(page, 'dispute-form');
    await page.click('#btn-dispute-submit');
    await visible(page, '#dispute-done');
    expect(await text(page, '#dispute-done')).toBe('已提交申诉，工作人员将尽快处理');
    expect(await text(page, '#receipt-title')).toBe('订单审核中');
    expect(await text(page, '#receipt-review')).toContain('我只拿了一盒茶叶，却被扣了两盒的钱');
    expect(await page.isHidden('#btn-dispute')).toBe(true);
    await shot(page, 'dispute-submitted');

    const reviews = await t.http().get('/api/v1/kiosk/reviews').set('Authorization', t.adminToken);
    expect(reviews.status).toBe(200);
    const review = (reviews.body.items as { id: string }[]).find((r) => r.id === id);
    expect(review).toMatchObject({
      id,
      status: 'REVIEW',
      disputeReason: '我只拿了一盒茶叶，却被扣了两盒的钱',
      totalFen: 5980,
    });

    // Back to the cabinet: ready again, the purchase in the history.
    await page.click('#btn-again');
    await visible(page, '#view-ready');
    expect(await text(page, '#cabinet-name')).toBe('万州区行政中心专柜');
    expect(await text(page, '#history')).toContain('三峡绿茶×2');
  });

  it('a declined charge shows 扣款失败 and 立即支付; paying from the receipt shows 已支付', async () => {
    await page.goto(c.qrUrl);
    await visible(page, '#view-ready');
    await t.app.get(SandboxProvider).script(['DECLINE']);
    const id = await openDoor(page);
    sim.take(1, 250);
    await closeAndCatchSettling(page, 'settling-declined');

    await visible(page, '#view-receipt[data-payment="UNPAID"]');
    expect(await text(page, '#receipt-title')).toBe('扣款失败');
    expect(await text(page, '#receipt-payment')).toBe('扣款失败');
    expect(await text(page, '#receipt-total')).toBe('¥29.90');
    expect(await page.isVisible('#btn-pay-receipt')).toBe(true);
    expect(await text(page, '#btn-pay-receipt')).toBe('立即支付');
    expect(await page.isHidden('#receipt-household')).toBe(true);
    await shot(page, 'unpaid-receipt');
    expect((await sessionOf(id)).payment).toBe('UNPAID');

    // The same citizen scanning again meanwhile sees the balance first.
    const other = await context.newPage();
    watch(other);
    await other.goto(c.qrUrl);
    await visible(other, '#view-unpaid');
    expect(await text(other, '#unpaid-amount')).toBe('¥29.90');
    expect(await text(other, '#btn-pay-unpaid')).toBe('立即支付');
    await shot(other, 'unpaid-balance');
    await other.close();

    await page.click('#btn-pay-receipt');
    await visible(page, '#view-receipt[data-payment="PAID"] #receipt-household:not(.pending)');
    expect(await text(page, '#receipt-payment')).toBe('已支付');
    expect(await text(page, '#receipt-household')).toBe('其中 ¥29.90 进入脱贫户收入');
    expect(await page.isHidden('#btn-pay-receipt')).toBe(true);
    await shot(page, 'paid-after-decline');

    const unpaid = await t
      .http()
      .get('/api/v1/kiosk/me/unpaid')
      .set('Authorization', await citizenToken());
    expect(unpaid.body.totalFen).toBe(0);
  });

  it('an unpaid balance is paid from its own screen, then the cabinet is ready again', async () => {
    await page.goto(c.qrUrl);
    await visible(page, '#view-ready');
    await t.app.get(SandboxProvider).script(['DECLINE']);
    await openDoor(page);
    sim.take(2, 500);
    await sim.closeDoor();
    await visible(page, '#view-receipt[data-payment="UNPAID"]');

    await page.reload();
    await visible(page, '#view-unpaid');
    expect(await text(page, '#unpaid-amount')).toBe('¥68.00');
    await page.click('#btn-pay-unpaid');
    await visible(page, '#view-ready');
    const unpaid = await t
      .http()
      .get('/api/v1/kiosk/me/unpaid')
      .set('Authorization', await citizenToken());
    expect(unpaid.body.totalFen).toBe(0);
  });

  it('closing the door without taking anything shows 未取商品，未扣款', async () => {
    await page.goto(c.qrUrl);
    await visible(page, '#view-ready');
    const id = await openDoor(page);
    await sim.closeDoor();
    await visible(page, '#view-receipt[data-status="CANCELLED"]');
    expect(await text(page, '#receipt-title')).toBe('未取商品，未扣款');
    expect(await page.isHidden('#receipt-money')).toBe(true);
    expect(await page.isHidden('#dispute-card')).toBe(true);
    expect(await page.isHidden('#btn-pay-receipt')).toBe(true);
    await shot(page, 'cancelled');
    expect((await sessionOf(id)).status).toBe('CANCELLED');
  });

  it('a forged QR code (one character of the token changed) shows at once, signed in or not, that the cabinet was not found', async () => {
    const url = new URL(c.qrUrl);
    const token = url.searchParams.get('t')!;
    url.searchParams.set('t', (token[0] === 'A' ? 'B' : 'A') + token.slice(1));
    let unlocked = false;
    const onUnlock = () => {
      unlocked = true;
    };
    sim.on('unlock', onUnlock);
    try {
      // Told at once, before anyone signs in (the page asks GET /kiosk/scan first).
      await page.evaluate('localStorage.clear()');
      await page.goto(url.toString());
      await visible(page, '#view-ready');
      await visible(page, '#error[data-code="cabinet-not-found"]');
      expect(await text(page, '#error-message')).toBe(
        '未找到该专柜：二维码无效或已被篡改，请重新扫描柜门上的二维码。',
      );
      expect(await text(page, '#cabinet-state')).toBe('二维码无效');
      expect(await page.isDisabled('#btn-open')).toBe(true);
      await shot(page, 'error-forged-qr');
      expect(unlocked).toBe(false);
    } finally {
      sim.off('unlock', onUnlock);
    }
  });

  /** The bearer header of the citizen signed in on the page. */
  async function citizenToken(): Promise<string> {
    const token = await page.evaluate<string | null>("localStorage.getItem('kiosk.token')");
    return `Bearer ${token}`;
  }
});
