import { randomUUID } from 'node:crypto';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { addDays, businessDate } from '@/common/time';
import { ProcurementOrdersService } from '@/modules/procurement/procurement-orders.service';
import { launchChromium, phoneContext, screenshot, watchErrors } from './support/browser';
import { factory } from './support/factory';
import { API } from './support/live';
import { startTestApp, TestApp } from './support/test-app';

const WAIT = { timeout: 20_000 };
const YEAR = Number(businessDate().slice(0, 4));
const PASS = 'pass-12345';
/** 青花椒, one bag. */
const PRICE = 6800;
/** Bags ordered; one fewer arrives. */
const N = 12;

/**
 * The unit's portal (`/p`) driven in headless Chromium against the real app: the buyer signs in, follows the
 * quota, drafts an order of N bags from the certified catalog and submits it; the approver (on a phone)
 * approves it from its queue; the supplier confirms and ships through the API; the buyer accepts N − 1 bags
 * with the invoice, and the quota and the audit trail show it. A user with both roles cannot approve its own
 * order (four eyes); the approver rejects it with a reason typed in the page; an order past its payment
 * date is flagged in red; a unit without a quota this year is told so. Every state is screenshotted into
 * test-results/screenshots (portal-*.png).
 */
describe('the unit procurement portal (headless Chromium)', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let browser: Browser;
  let buyerContext: BrowserContext;
  let approverContext: BrowserContext;
  let buyer: Page;
  let approver: Page;
  let unitId: string;
  let productId: string;
  let householdId: string;
  let buyerToken: string;
  let approverId: string;
  let approverToken: string;
  let bothToken: string;
  let supplierToken: string;
  /** The order that goes from draft to accepted. */
  let orderId: string;
  /** The order its own submitter cannot approve. */
  let ownId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestApp('portal', { role: 'all', listen: true });
    f = factory(t);
    await f.regions();
    householdId = (await f.household({ headName: '王德明' })).id;
    const supplier = await f.supplier({
      type: 'HOUSEHOLD',
      householdId,
      name: '王德明家庭农场',
    });
    productId = (
      await f.product(supplier.id, { name: '青花椒', category: '花椒', unit: '袋', priceFen: PRICE })
    ).id;
    await f.lot(productId, { quantity: 500 });
    unitId = (await f.organization({ name: '万州区财政局', type: 'BUDGET_UNIT', hasCanteen: true })).id;
    const quota = await t
      .http()
      .put(`${API}/organizations/${unitId}/quotas/${YEAR}`)
      .set('Authorization', t.adminToken)
      .send({ amountFen: 1_000_000 });
    expect(quota.status).toBe(200);
    const user = async (username: string, body: object) => {
      const u = await f.user({ username, password: PASS, ...body });
      return { id: u.id, token: await t.login(username, PASS) };
    };
    buyerToken = (await user('portal.buyer', { roles: ['UNIT_BUYER'], organizationId: unitId })).token;
    const a = await user('portal.approver', {
      roles: ['UNIT_APPROVER'],
      organizationId: unitId,
      phone: '13900000061',
    });
    approverId = a.id;
    approverToken = a.token;
    bothToken = (
      await user('portal.both', {
        roles: ['UNIT_BUYER', 'UNIT_APPROVER'],
        organizationId: unitId,
        phone: '13900000062',
      })
    ).token;
    supplierToken = (await user('portal.supplier', { roles: ['SUPPLIER'], supplierId: supplier.id })).token;

    browser = await launchChromium();
    buyerContext = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    approverContext = await phoneContext(browser);
    buyer = await buyerContext.newPage();
    watchErrors(buyer, pageErrors);
    approver = await approverContext.newPage();
    watchErrors(approver, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    // No script error and no CSP violation on any page, ever.
    expect(pageErrors).toEqual([]);
  });

  const shot = (p: Page, name: string) => screenshot(p, `portal-${name}`);
  const text = async (p: Page, sel: string) => ((await p.locator(sel).textContent()) ?? '').trim();
  const visible = (p: Page, sel: string) => p.waitForSelector(sel, { state: 'visible', ...WAIT });
  const gone = (p: Page, sel: string) => p.waitForSelector(sel, { state: 'detached', ...WAIT });
  const get = (path: string, token: string) => t.http().get(`${API}${path}`).set('Authorization', token);
  const post = (path: string, token: string, body: object = {}) =>
    t
      .http()
      .post(`${API}${path}`)
      .set('Authorization', token)
      .set('Idempotency-Key', randomUUID())
      .send(body);
  const texts = async (p: Page, want: Record<string, string>) => {
    await p
      .waitForFunction(
        (w: Record<string, string>) =>
          Object.entries(w).every(
            ([s, v]) => (globalThis as any).document.querySelector(s)?.textContent.trim() === v,
          ),
        want,
        WAIT,
      )
      .catch(() => undefined);
    const got: Record<string, string> = {};
    for (const sel of Object.keys(want)) {
      got[sel] = await text(p, sel);
    }
    expect(got).toEqual(want);
  };
  /** The texts of every element matching `sel`, in document order. */
  const all = (p: Page, sel: string) => p.locator(sel).evaluateAll((els) => els.map((e) => e.textContent));
  const portal = () => `${t.env.PUBLIC_BASE_URL}/p`;

  async function signIn(p: Page, username: string): Promise<void> {
    await p.goto(portal());
    await visible(p, '#view-login');
    await p.fill('#username', username);
    await p.fill('#password', PASS);
    await p.click('#btn-login');
    await visible(p, '#view-portal');
  }

  it('the buyer signs in and sees its unit and the year’s quota, nothing counted yet', async () => {
    await buyer.goto(portal());
    await visible(buyer, '#view-login');
    await buyer.fill('#username', 'portal.buyer');
    await buyer.fill('#password', 'wrong-password');
    await buyer.click('#btn-login');
    await visible(buyer, '#error[data-code="invalid-credentials"]');
    expect(await text(buyer, '#error-message')).toBe('账号或密码错误。');
    await shot(buyer, 'signin');

    await buyer.fill('#password', PASS);
    await buyer.click('#btn-login');
    await visible(buyer, '#view-portal');
    expect(await buyer.isHidden('#error')).toBe(true);
    await texts(buyer, {
      '#org-name': '万州区财政局',
      '#who-role': '采购员 · portal.buyer',
      '#who': '已登录 portal.buyer',
      '#quota-year': `${YEAR} 年度`,
      '#q-percent': '0.00%',
      '#q-amount': '¥10000.00',
      '#q-counted': '¥0.00',
      '#q-accepted': '¥0.00',
      '#q-employee': '¥0.00',
      '#q-fair': '¥0.00',
      '#q-committed': '¥0.00',
      '#q-remaining': '¥10000.00',
    });
    expect(await buyer.isHidden('#quota-empty')).toBe(true);
    // A buyer orders and accepts; approving is not its business.
    expect(await buyer.isVisible('#tab-catalog')).toBe(true);
    expect(await buyer.isVisible('#tab-accept')).toBe(true);
    expect(await buyer.isHidden('#tab-queue')).toBe(true);
    expect(await buyer.isVisible('#panel-catalog')).toBe(true);
    expect(await buyer.isHidden('#overdue')).toBe(true);
    // The token is kept for the tab only, and it is the buyer's.
    const stored = await buyer.evaluate<string>("sessionStorage.getItem('portal.token')");
    expect((await get('/me', `Bearer ${stored}`)).body).toMatchObject({
      username: 'portal.buyer',
      roles: ['UNIT_BUYER'],
      organizationId: unitId,
    });
  });

  it(`drafts an order of ${N} bags from the certified catalog and submits it`, async () => {
    await visible(buyer, `#product-${productId}`);
    await texts(buyer, {
      [`#product-${productId}-name`]: '青花椒',
      [`#product-${productId}-price`]: '¥68.00',
      [`#product-${productId}-stock`]: '500',
      '#draft-total': '¥0.00',
    });
    await buyer.fill(`#qty-${productId}`, String(N));
    await texts(buyer, { '#draft-total': `¥${(N * PRICE) / 100}.00` });
    expect(await all(buyer, '#draft-lines .draft-line')).toEqual([`青花椒 × ${N} 袋¥816.00`]);

    await buyer.click('#btn-create-draft');
    await visible(buyer, '#error');
    expect(await text(buyer, '#error-message')).toBe('请填写收货地址。');
    await buyer.fill('#delivery-address', '万州区财政局食堂，太白路 8 号');
    await buyer.click('#btn-create-draft');
    await visible(buyer, '#draft-created');
    await texts(buyer, { '#draft-status': '草稿', '#draft-amount': '¥816.00', '#draft-total': '¥0.00' });
    expect(await buyer.isHidden('#error')).toBe(true);
    expect(await buyer.inputValue(`#qty-${productId}`)).toBe('0');

    const drafts = (await get('/procurement/orders?status=DRAFT', buyerToken)).body.items;
    expect(drafts).toHaveLength(1);
    orderId = drafts[0].id;
    expect(drafts[0]).toMatchObject({
      status: 'DRAFT',
      totalFen: N * PRICE,
      deliveryAddress: '万州区财政局食堂，太白路 8 号',
      lines: [{ productId, productName: '青花椒', quantity: N, unitPriceFen: PRICE, amountFen: N * PRICE }],
    });
    expect(await text(buyer, '#draft-no')).toBe(orderId.slice(-8));
    await shot(buyer, 'draft');

    await buyer.click('#btn-submit-draft');
    await texts(buyer, { '#draft-status': '待审批', '#q-committed': '¥816.00', '#q-accepted': '¥0.00' });
    expect(await buyer.isHidden('#btn-submit-draft')).toBe(true);
    expect(await text(buyer, '#notice')).toBe(
      `采购单 ${orderId.slice(-8)} 已提交审批，本单位审批人将收到短信通知。`,
    );
    const submitted = await get(`/procurement/orders/${orderId}`, buyerToken);
    expect(submitted.body).toMatchObject({ status: 'SUBMITTED', totalFen: N * PRICE, acceptedFen: 0 });
    const committed = (await get(`/organizations/${unitId}/quotas/${YEAR}`, buyerToken)).body;
    expect(committed).toMatchObject({ committedFen: N * PRICE, acceptedFen: 0, countedFen: 0 });
  });

  it('the approver, on a phone, approves it from its queue', async () => {
    await signIn(approver, 'portal.approver');
    await texts(approver, {
      '#org-name': '万州区财政局',
      '#who-role': '审批人 · portal.approver',
      '#queue-count': '1',
      [`#queue-${orderId}-total`]: '¥816.00',
      '#q-committed': '¥816.00',
    });
    // An approver decides; it neither orders nor accepts.
    expect(await approver.getAttribute('#tab-queue', 'class')).toBe('tab on');
    expect(await approver.isHidden('#tab-catalog')).toBe(true);
    expect(await approver.isHidden('#tab-accept')).toBe(true);
    const card = approver.locator(`#queue-${orderId}`);
    expect(await card.locator('.o-meta').textContent()).toMatch(/^提交人：portal\.buyer · 创建于 /);
    expect(await card.locator('.lines tbody td').allTextContents()).toEqual([
      '青花椒',
      '¥68.00',
      String(N),
      '¥816.00',
    ]);
    await shot(approver, 'approver-queue');

    await approver.click(`#approve-${orderId}`);
    await gone(approver, `#queue-${orderId}`);
    await texts(approver, {
      '#queue-count': '0',
      '#notice': `已批准采购单 ${orderId.slice(-8)}，等待供应商确认发货。`,
    });
    expect(await approver.isHidden('#error')).toBe(true);
    expect(await approver.isVisible('[data-testid="queue-empty"]')).toBe(true);
    const approved = await get(`/procurement/orders/${orderId}`, approverToken);
    expect(approved.body).toMatchObject({ status: 'APPROVED', decidedBy: approverId });
  });

  it(`the supplier confirms and ships; the buyer accepts ${N - 1} bags with the invoice`, async () => {
    const confirmed = await post(`/procurement/orders/${orderId}/confirm`, supplierToken);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('CONFIRMED');
    const shipped = await post(`/procurement/orders/${orderId}/ship`, supplierToken);
    expect(shipped.status).toBe(200);
    expect(shipped.body.status).toBe('SHIPPED');

    await buyer.click('#btn-refresh');
    await texts(buyer, { '#accept-count': '1' });
    await buyer.click('#tab-accept');
    const recv = `#recv-${orderId}-${productId}`;
    await visible(buyer, recv);
    expect(await buyer.inputValue(recv)).toBe(String(N));
    expect(await buyer.inputValue(`#invoice-amount-${orderId}`)).toBe('816.00');
    await texts(buyer, { [`#accept-total-${orderId}`]: '¥816.00' });

    // One bag short: the received total and the invoice's default follow as it is typed.
    await buyer.fill(recv, String(N - 1));
    await texts(buyer, {
      [`#accept-total-${orderId}`]: '¥748.00',
      [`#recv-amount-${orderId}-${productId}`]: '¥748.00',
    });
    expect(await buyer.getAttribute(`#accept-total-${orderId}`, 'data-fen')).toBe(String((N - 1) * PRICE));
    expect(await buyer.inputValue(`#invoice-amount-${orderId}`)).toBe('748.00');

    // An invoice for another amount, or none, is refused before anything is sent.
    await buyer.click(`#accept-${orderId}`);
    expect(await text(buyer, '#error-message')).toBe('请填写发票号码。');
    await buyer.fill(`#invoice-no-${orderId}`, 'INV-2026-0001');
    await buyer.fill(`#invoice-amount-${orderId}`, '800');
    await buyer.click(`#accept-${orderId}`);
    expect(await text(buyer, '#error-message')).toBe(
      '发票金额 ¥800.00 与实收金额 ¥748.00 不一致，请核对发票。',
    );
    expect((await get(`/procurement/orders/${orderId}`, buyerToken)).body.status).toBe('SHIPPED');
    await buyer.fill(`#invoice-amount-${orderId}`, '748.00');
    expect(await buyer.isHidden(`#invoice-warn-${orderId}`)).toBe(true);
    await shot(buyer, 'acceptance');

    await buyer.click(`#accept-${orderId}`);
    await gone(buyer, `#accept-card-${orderId}`);
    expect(await buyer.isHidden('#error')).toBe(true);
    const accepted = (await get(`/procurement/orders/${orderId}`, buyerToken)).body;
    expect(accepted).toMatchObject({
      status: 'ACCEPTED',
      totalFen: N * PRICE,
      acceptedFen: (N - 1) * PRICE,
      invoiceNo: 'INV-2026-0001',
      invoiceFen: (N - 1) * PRICE,
      acceptedDate: businessDate(),
      overdue: false,
      lines: [{ productId, quantity: N, receivedQuantity: N - 1 }],
    });
    expect(await text(buyer, '#notice')).toBe(
      `采购单 ${orderId.slice(-8)} 验收完成：实收 ¥748.00，已计入本单位年度采购额度；请于 ${accepted.dueDate} 前付款。`,
    );

    // The quota counts exactly what was received.
    const q = (await get(`/organizations/${unitId}/quotas/${YEAR}`, buyerToken)).body;
    expect(q).toMatchObject({
      amountFen: 1_000_000,
      committedFen: 0,
      acceptedFen: (N - 1) * PRICE,
      employeeFen: 0,
      fairFen: 0,
      countedFen: (N - 1) * PRICE,
      remainingFen: 1_000_000 - (N - 1) * PRICE,
      progressBps: 748,
    });
    await texts(buyer, {
      '#q-accepted': '¥748.00',
      '#q-counted': '¥748.00',
      '#q-committed': '¥0.00',
      '#q-remaining': '¥9252.00',
      '#q-percent': '7.48%',
      '#accept-count': '0',
    });
    expect(await buyer.getAttribute('#bar-accepted', 'data-fen')).toBe(String((N - 1) * PRICE));
    expect(await buyer.evaluate("document.getElementById('bar-accepted').style.width")).toBe('7.48%');
    expect(await buyer.evaluate("document.getElementById('bar-employee').style.width")).toBe('0%');
    expect(await buyer.evaluate("document.getElementById('bar-committed').style.width")).toBe('0%');

    // The unit also buys ¥500.00 of eggs at a fair: the bar stacks it after its own procurement.
    const fair = await post('/fairs', t.adminToken, {
      name: '分水镇川星村扶贫赶场',
      villageCode: '500101113201',
      date: businessDate(),
    });
    expect({ status: fair.status, body: fair.body }).toMatchObject({ status: 201 });
    const sale = await post(`/fairs/${fair.body.id}/sales`, buyerToken, {
      householdId,
      description: '土鸡蛋',
      quantity: 50,
      amountFen: 50_000,
    });
    expect({ status: sale.status, body: sale.body }).toMatchObject({ status: 201 });
    await buyer.click('#btn-refresh');
    await texts(buyer, {
      '#q-accepted': '¥748.00',
      '#q-fair': '¥500.00',
      '#q-employee': '¥0.00',
      '#q-counted': '¥1248.00',
      '#q-remaining': '¥8752.00',
      '#q-percent': '12.48%',
    });
    expect((await get(`/organizations/${unitId}/quotas/${YEAR}`, buyerToken)).body).toMatchObject({
      acceptedFen: (N - 1) * PRICE,
      fairFen: 50_000,
      countedFen: (N - 1) * PRICE + 50_000,
      remainingFen: 1_000_000 - (N - 1) * PRICE - 50_000,
      progressBps: 1248,
    });
    expect(await buyer.getAttribute('#bar-fair', 'data-fen')).toBe('50000');
    expect(await buyer.evaluate("document.getElementById('bar-fair').style.width")).toBe('5%');
    // The bar is drawn: once its transition is over, the parts are 7.48 % and 5 % of its width.
    await buyer.waitForFunction(() => (globalThis as any).document.getAnimations().length === 0, null, WAIT);
    const widths = await buyer.evaluate<number[]>(
      "['quota-bar', 'bar-accepted', 'bar-fair'].map((id) => document.getElementById(id).getBoundingClientRect().width)",
    );
    expect(Math.abs(widths[1] - widths[0] * 0.0748)).toBeLessThan(1);
    expect(Math.abs(widths[2] - widths[0] * 0.05)).toBeLessThan(1);
    await shot(buyer, 'quota');
  });

  it('the audit trail lists every step, in order, in Chinese', async () => {
    await buyer.click('#tab-orders');
    await texts(buyer, {
      [`#order-${orderId}-status`]: '已验收',
      [`#order-${orderId}-total`]: '¥816.00',
      [`#order-${orderId}-accepted`]: '¥748.00',
    });
    await buyer.click(`#details-${orderId}`);
    const items = `#events-${orderId} li[data-action]`;
    await buyer.waitForFunction(
      (sel) => (globalThis as any).document.querySelectorAll(sel).length === 6,
      items,
      WAIT,
    );
    const steps = ['CREATED', 'SUBMITTED', 'APPROVED', 'CONFIRMED', 'SHIPPED', 'ACCEPTED'];
    expect(
      await buyer.locator(items).evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))),
    ).toEqual(steps);
    expect(await all(buyer, `#events-${orderId} .ev-act`)).toEqual([
      '创建',
      '提交',
      '批准',
      '供应商确认',
      '发货',
      '验收',
    ]);
    expect(await all(buyer, `#events-${orderId} .ev-who`)).toEqual([
      'portal.buyer',
      'portal.buyer',
      'portal.approver',
      'portal.supplier',
      'portal.supplier',
      'portal.buyer',
    ]);
    expect(await all(buyer, `#events-${orderId} .ev-detail`)).toEqual([
      '1 种商品，合计 ¥816.00',
      '明细第 1 行',
      '明细第 1 行',
      '实收 ¥748.00（订购 ¥816.00），发票号码 INV-2026-0001',
    ]);
    // The API says the same, in the same order.
    const events = (await get(`/procurement/orders/${orderId}/events`, buyerToken)).body as {
      action: string;
      username: string;
    }[];
    expect(events.map((e) => e.action)).toEqual(steps);
    expect(events.map((e) => e.username)).toEqual([
      'portal.buyer',
      'portal.buyer',
      'portal.approver',
      'portal.supplier',
      'portal.supplier',
      'portal.buyer',
    ]);
    await buyer.locator(`#order-${orderId}`).scrollIntoViewIfNeeded();
    await shot(buyer, 'audit-trail');
  });

  it('a user with both roles cannot approve the order it submitted (four eyes); the approver rejects it', async () => {
    const ctx = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    try {
      const both = await ctx.newPage();
      watchErrors(both, pageErrors);
      await signIn(both, 'portal.both');
      await texts(both, { '#who-role': '采购员、审批人 · portal.both', '#queue-count': '0' });
      for (const tab of ['#tab-catalog', '#tab-queue', '#tab-accept', '#tab-orders']) {
        expect(await both.isVisible(tab)).toBe(true);
      }
      await visible(both, `#qty-${productId}`);
      await both.click(`#product-${productId} [data-act="plus"]`);
      await both.click(`#product-${productId} [data-act="plus"]`);
      await texts(both, { '#draft-total': '¥136.00' });
      await both.fill('#delivery-address', '万州区财政局工会');
      await both.click('#btn-create-draft');
      await texts(both, { '#draft-status': '草稿', '#draft-amount': '¥136.00' });
      await both.click('#btn-submit-draft');
      await texts(both, { '#draft-status': '待审批', '#queue-count': '1' });
      ownId = (await get('/procurement/orders?status=SUBMITTED', bothToken)).body.items[0].id;

      await both.click('#tab-queue');
      await visible(both, `#queue-${ownId}`);
      expect(await both.locator(`#queue-${ownId} .o-meta`).textContent()).toMatch(/^提交人：您本人 · /);
      await both.click(`#approve-${ownId}`);
      await visible(both, '#error[data-code="four-eyes"]');
      expect(await text(both, '#error-message')).toBe('您是该订单的提交人，须由本单位其他审批人审批');
      await shot(both, 'four-eyes');
      const still = await get(`/procurement/orders/${ownId}`, bothToken);
      expect(still.body).toMatchObject({ status: 'SUBMITTED', decidedBy: null });

      // The other approver rejects it, the reason typed in the page (no dialog).
      approver.on('dialog', (d) => {
        pageErrors.push(`dialog: ${d.message()}`);
        void d.dismiss();
      });
      await approver.click('#btn-refresh');
      await texts(approver, { '#queue-count': '1' });
      expect(await approver.locator(`#queue-${ownId} .o-meta`).textContent()).toMatch(
        /^提交人：portal\.both · /,
      );
      await approver.click(`#reject-${ownId}`);
      await visible(approver, `#reject-reason-${ownId}`);
      expect(await approver.isHidden(`#approve-${ownId}`)).toBe(true);
      await approver.click(`#reject-confirm-${ownId}`);
      expect(await text(approver, '#error-message')).toBe('请填写驳回原因。');
      await approver.fill(`#reject-reason-${ownId}`, '超出本季度预算');
      await shot(approver, 'reject-reason');
      await approver.click(`#reject-confirm-${ownId}`);
      await gone(approver, `#queue-${ownId}`);
      await texts(approver, { '#queue-count': '0', '#notice': `已驳回采购单 ${ownId.slice(-8)}。` });
      expect(await approver.isHidden('#error')).toBe(true);
      const rejected = await get(`/procurement/orders/${ownId}`, approverToken);
      expect(rejected.body).toMatchObject({
        status: 'REJECTED',
        decidedBy: approverId,
        rejectReason: '超出本季度预算',
      });

      // The submitter's page shows the verdict and its reason.
      await both.click('#btn-refresh');
      await both.click('#tab-orders');
      await texts(both, { [`#order-${ownId}-status`]: '已驳回', '#queue-count': '0' });
      expect(await both.locator(`#order-${ownId} .o-meta.red`).textContent()).toBe(
        '驳回原因：超出本季度预算',
      );
      await both.click(`#details-${ownId}`);
      await both.waitForFunction(
        (sel) => (globalThis as any).document.querySelectorAll(sel).length === 3,
        `#events-${ownId} li[data-action]`,
        WAIT,
      );
      expect(await all(both, `#events-${ownId} .ev-act`)).toEqual(['创建', '提交', '驳回']);
    } finally {
      await ctx.close();
    }
  });

  it('an accepted order past its payment date is flagged in red, with the reminder in its trail', async () => {
    await t.db.query('UPDATE procurement_orders SET due_date = ? WHERE id = ?', [
      addDays(businessDate(), -1),
      orderId,
    ]);
    const sent = await t.app.get(ProcurementOrdersService).remindOverdue();
    expect(sent).toEqual({ organizations: 1, messages: 2 });

    await buyer.click('#btn-refresh');
    await visible(buyer, '#overdue');
    await texts(buyer, {
      [`#overdue-${orderId}`]: `采购单 ${orderId.slice(-8)} · 应于 ${addDays(businessDate(), -1)} 前付款¥748.00`,
      [`#order-${orderId}-overdue`]: '已逾期',
    });
    expect(await buyer.getAttribute(`#order-${orderId}`, 'data-overdue')).toBe('true');
    expect(
      await buyer.evaluate(`getComputedStyle(document.getElementById('order-${orderId}')).borderTopColor`),
    ).toBe('rgb(224, 80, 58)');
    expect(
      await buyer.evaluate(
        `getComputedStyle(document.getElementById('order-${orderId}-overdue')).backgroundColor`,
      ),
    ).toBe('rgb(217, 65, 44)');
    // The details stay open across the refresh, and the reminder is the last step.
    await buyer.waitForFunction(
      (sel) => (globalThis as any).document.querySelectorAll(sel).length === 7,
      `#events-${orderId} li[data-action]`,
      WAIT,
    );
    expect((await all(buyer, `#events-${orderId} .ev-act`)).pop()).toBe('催款提醒');
    const overdue = (await get('/procurement/overdue', buyerToken)).body as {
      id: string;
      overdue: boolean;
    }[];
    expect(overdue.map((o) => [o.id, o.overdue])).toEqual([[orderId, true]]);
    await shot(buyer, 'overdue');

    // The same portal on a phone.
    await buyer.setViewportSize({ width: 390, height: 844 });
    await buyer.evaluate('window.scrollTo(0, 0)');
    await shot(buyer, 'overdue-phone');
    await buyer.setViewportSize({ width: 1280, height: 900 });
  });

  it('a unit without a quota this year is told so; signing out forgets the token', async () => {
    const other = (await f.organization({ name: '万州区教委', type: 'BUDGET_UNIT' })).id;
    await f.user({ username: 'portal.other', password: PASS, roles: ['UNIT_BUYER'], organizationId: other });
    const ctx = await phoneContext(browser);
    try {
      const p = await ctx.newPage();
      watchErrors(p, pageErrors);
      await signIn(p, 'portal.other');
      await visible(p, '#quota-empty');
      await texts(p, { '#org-name': '万州区教委', '#quota-empty': '本年度尚未下达采购额度' });
      expect(await p.isHidden('#quota-body')).toBe(true);
      expect(await p.isHidden('#error')).toBe(true);
      await shot(p, 'no-quota');

      await p.click('#btn-logout');
      await visible(p, '#view-login');
      expect(await p.evaluate("sessionStorage.getItem('portal.token')")).toBeNull();
      await p.reload();
      await visible(p, '#view-login');
    } finally {
      await ctx.close();
    }
  });
});
