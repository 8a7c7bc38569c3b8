import { Workbook } from 'exceljs';
import { businessDate, addDays } from '@/common/time';
import { factory } from './support/factory';
import { API, pay } from './support/live';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const YEAR = Number(businessDate().slice(0, 4));

/**
 * Unit procurement end to end: organizations and quotas, an order from draft to paid through four-eyes
 * approval and two suppliers, short delivery, the households' income, overdue payment reminders, employees'
 * purchases, fairs, scope, and the district's reports in JSON, CSV and XLSX.
 */
describe('procurement: quotas, the order workflow, employees, fairs and reports', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let unit: string;
  let otherUnit: string;
  let group: string;
  let buyer: string;
  let buyerId: string;
  let approver: string;
  let both: string;
  let otherBuyer: string;
  let supplierA: string;
  let supplierB: string;
  let supplierC: string;
  let householdA: string;
  let householdB: string;
  let pepper: { id: string };
  let tea: { id: string };
  let lotPepper: string;
  let orderId: string;
  let lapsed: { id: string };

  const get = (path: string, token = t.adminToken) =>
    t.http().get(`${API}${path}`).set('Authorization', token);
  const post = (path: string, token: string, body: object = {}) =>
    t.http().post(`${API}${path}`).set('Authorization', token).send(body);
  const put = (path: string, body: object) =>
    t.http().put(`${API}${path}`).set('Authorization', t.adminToken).send(body);
  const remaining = async (lotId: string) =>
    Number((await t.db.query('SELECT remaining FROM supply_lots WHERE id = ?', [lotId]))[0].remaining);
  const income = async (householdId: string) =>
    (await get(`/households/${householdId}/income`)).body as {
      totalFen: number;
      availableFen: number;
      pendingFen: number;
      byChannel: Record<string, number>;
    };
  const sms = async (phone: string) =>
    (await t.http().get(`${API}/dev/sms?phone=${phone}`)).body as { text: string }[];

  beforeAll(async () => {
    t = await startTestApp('procurement', {
      role: 'all',
      listen: true,
      env: { PROCUREMENT_SHARE_FLOOR_BPS: '1500' },
    });
    f = factory(t);
    await f.regions();
    group = (
      await f.organization({
        name: '万州区第一扶贫集团',
        type: 'DISTRICT_GROUP',
        villageCodes: ['500101113201'],
      })
    ).id;
    unit = (
      await f.organization({
        name: '万州区财政局',
        type: 'BUDGET_UNIT',
        parentId: group,
        hasCanteen: true,
        department: '财政系统',
      })
    ).id;
    otherUnit = (await f.organization({ name: '万州区教委', type: 'BUDGET_UNIT', department: '教育系统' }))
      .id;
    householdA = (await f.household({ headName: '王德明' })).id;
    householdB = (await f.household({ headName: '李秀英', villageCode: '500101118201' })).id;
    const sA = await f.supplier({ type: 'HOUSEHOLD', householdId: householdA, name: '王德明家庭农场' });
    const sB = await f.supplier({
      type: 'HOUSEHOLD',
      householdId: householdB,
      name: '李秀英茶园',
      villageCode: '500101118201',
    });
    const sC = await f.supplier({ name: '无关合作社' });
    pepper = await f.product(sA.id, { name: '青花椒', category: '花椒', priceFen: 6800 });
    tea = await f.product(sB.id, { name: '三峡绿茶', category: '茶叶', priceFen: 12800 });
    lapsed = await f.product(sA.id, { name: '过期认证花椒', certifiedUntil: '2021-06-30' });
    lotPepper = (await f.lot(pepper.id, { quantity: 100 })).id;
    await f.lot(tea.id, { quantity: 50, sources: [{ householdId: householdB, quantity: 50 }] });
    await f.lot(lapsed.id, { quantity: 10 });
    const user = async (username: string, body: object) => {
      const u = await f.user({ username, password: 'pass-12345', ...body });
      return { id: u.id, token: await t.login(username, 'pass-12345') };
    };
    const b = await user('unit.buyer', { roles: ['UNIT_BUYER'], organizationId: unit });
    buyer = b.token;
    buyerId = b.id;
    approver = (
      await user('unit.approver', { roles: ['UNIT_APPROVER'], organizationId: unit, phone: '13900000001' })
    ).token;
    both = (
      await user('unit.both', {
        roles: ['UNIT_BUYER', 'UNIT_APPROVER'],
        organizationId: unit,
        phone: '13900000002',
      })
    ).token;
    otherBuyer = (await user('other.buyer', { roles: ['UNIT_BUYER'], organizationId: otherUnit })).token;
    supplierA = (await user('supplier.a', { roles: ['SUPPLIER'], supplierId: sA.id })).token;
    supplierB = (await user('supplier.b', { roles: ['SUPPLIER'], supplierId: sB.id })).token;
    supplierC = (await user('supplier.c', { roles: ['SUPPLIER'], supplierId: sC.id })).token;
  });
  afterAll(() => t.close());

  describe('organizations and quotas', () => {
    it('an assistance group with its member unit and paired village; a unit without a canteen', async () => {
      const g = await get(`/organizations/${group}`);
      expect(g.body).toMatchObject({
        type: 'DISTRICT_GROUP',
        parentId: null,
        villageCodes: ['500101113201'],
      });
      const members = await get(`/organizations?parentId=${group}`);
      expect(members.body.items.map((o: { id: string }) => o.id)).toEqual([unit]);
      expect(members.body.items[0]).toMatchObject({ hasCanteen: true, department: '财政系统' });
      const bad = await post('/organizations', t.adminToken, {
        name: 'x',
        type: 'UNION',
        villageCodes: ['999'],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([
        { field: 'villageCodes[0]', message: 'villageCodes must name existing villages' },
      ]);
    });

    it('a reserved share is the canteen base times the share, rounded down; under the district floor is 422', async () => {
      const low = await put(`/organizations/${unit}/quotas/${YEAR}`, {
        canteenBaseFen: 200_000_00,
        shareBps: 1200,
      });
      expect(low.status).toBe(422);
      expect(low.body.code).toBe('share-below-floor');
      const noCanteen = await put(`/organizations/${otherUnit}/quotas/${YEAR}`, {
        canteenBaseFen: 100_000_00,
        shareBps: 2000,
      });
      expect(noCanteen.status).toBe(422);
      expect(noCanteen.body.code).toBe('no-canteen');
      const both = await put(`/organizations/${unit}/quotas/${YEAR}`, {
        amountFen: 1,
        shareBps: 2000,
        canteenBaseFen: 1,
      });
      expect(both.status).toBe(400);
      const nothing = await put(`/organizations/${unit}/quotas/${YEAR}`, {
        canteenBaseFen: 1,
        shareBps: 2000,
      });
      expect(nothing.status).toBe(400);
      expect(nothing.body.errors[0].field).toBe('canteenBaseFen');
      // 1,234,567.89 yuan × 15 % = 185,185.1835 yuan → 18,518,518 fen (rounded down).
      const ok = await put(`/organizations/${unit}/quotas/${YEAR}`, {
        canteenBaseFen: 123_456_789,
        shareBps: 1500,
      });
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        organizationId: unit,
        year: YEAR,
        amountFen: 18_518_518,
        canteenBaseFen: 123_456_789,
        shareBps: 1500,
      });
      expect((await put(`/organizations/${otherUnit}/quotas/${YEAR}`, { amountFen: 5_000_000 })).status).toBe(
        200,
      );
      const progress = await get(`/organizations/${unit}/quotas/${YEAR}`, buyer);
      expect(progress.body).toEqual({
        organizationId: unit,
        year: YEAR,
        amountFen: 18_518_518,
        canteenBaseFen: 123_456_789,
        shareBps: 1500,
        committedFen: 0,
        acceptedFen: 0,
        employeeFen: 0,
        fairFen: 0,
        countedFen: 0,
        remainingFen: 18_518_518,
        progressBps: 0,
      });
    });

    it('a unit never reads another unit’s quota; a year without a quota is 404', async () => {
      expect((await get(`/organizations/${unit}/quotas/${YEAR}`, otherBuyer)).status).toBe(403);
      expect((await get(`/organizations/${unit}`, otherBuyer)).status).toBe(403);
      expect((await get(`/organizations/${unit}/quotas/2001`, buyer)).status).toBe(404);
    });
  });

  describe('an order from draft to paid', () => {
    it('only certified products can be ordered', async () => {
      const r = await post('/procurement/orders', buyer, {
        lines: [{ productId: lapsed.id, quantity: 1 }],
        deliveryAddress: '财政局食堂',
      });
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('product-not-certified');
      expect(r.body.errors).toEqual([expect.objectContaining({ field: 'lines[0].productId' })]);
    });

    it('the buyer drafts lines of two suppliers and submits; the approvers are told by SMS', async () => {
      const r = await post('/procurement/orders', buyer, {
        lines: [
          { productId: pepper.id, quantity: 10 },
          { productId: tea.id, quantity: 5 },
        ],
        deliveryAddress: '万州区财政局食堂，太白路 8 号',
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        status: 'DRAFT',
        totalFen: 10 * 6800 + 5 * 12800,
        organizationId: unit,
      });
      orderId = r.body.id;
      // A draft commits nothing and takes no stock.
      expect((await get(`/organizations/${unit}/quotas/${YEAR}`, buyer)).body.committedFen).toBe(0);
      expect(await remaining(lotPepper)).toBe(100);
      const s = await post(`/procurement/orders/${orderId}/submit`, buyer);
      expect(s.status).toBe(200);
      expect(s.body.status).toBe('SUBMITTED');
      const texts = await sms('13900000001');
      expect(texts[0].text).toBe(
        `【消费扶贫】万州区财政局有一笔扶贫产品采购订单待您审批：金额1320.00元，提交人unit.buyer。请登录单位门户 ${t.env.PUBLIC_BASE_URL}/p 处理。`,
      );
      expect((await get(`/organizations/${unit}/quotas/${YEAR}`, buyer)).body.committedFen).toBe(132_000);
    });

    it('four eyes: whoever submitted cannot approve; a buyer cannot approve at all', async () => {
      const mine = await post('/procurement/orders', both, {
        lines: [{ productId: pepper.id, quantity: 1 }],
        deliveryAddress: '食堂',
      });
      await post(`/procurement/orders/${mine.body.id}/submit`, both);
      const self = await post(`/procurement/orders/${mine.body.id}/approve`, both);
      expect(self.status).toBe(403);
      expect(self.body.code).toBe('four-eyes');
      const selfReject = await post(`/procurement/orders/${mine.body.id}/reject`, both, { reason: '不需要' });
      expect(selfReject.body.code).toBe('four-eyes');
      expect((await post(`/procurement/orders/${orderId}/approve`, buyer)).status).toBe(403);
      // Another approver rejects it with a reason; it cannot be approved after that.
      const rej = await post(`/procurement/orders/${mine.body.id}/reject`, approver, {
        reason: '超出本季度预算',
      });
      expect(rej.body).toMatchObject({ status: 'REJECTED', rejectReason: '超出本季度预算' });
      const late = await post(`/procurement/orders/${mine.body.id}/approve`, approver);
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('invalid-procurement-state');
    });

    it('another approver approves: the order core takes the stock from the lots', async () => {
      const r = await post(`/procurement/orders/${orderId}/approve`, approver);
      expect(r.status).toBe(200);
      expect(r.body.status).toBe('APPROVED');
      expect(await remaining(lotPepper)).toBe(90);
      const core = await get(`/orders/${orderId}`);
      expect(core.body).toMatchObject({
        channel: 'PROCUREMENT',
        status: 'PENDING_PAYMENT',
        totalFen: 132_000,
        attribution: { organizationId: unit },
      });
      // Invoiced, settled at acceptance: its buyer cannot pay it online in full before the goods arrive.
      const online = await post(`/orders/${orderId}/payments`, buyer, { provider: 'sandbox' });
      expect(online.status).toBe(409);
      expect(online.body.code).toBe('order-not-payable');
    });

    it('each supplier sees, confirms and ships only its own lines', async () => {
      const seenByA = await get(`/procurement/orders/${orderId}`, supplierA);
      expect(seenByA.body.lines.map((l: { productId: string }) => l.productId)).toEqual([pepper.id]);
      expect(seenByA.body.totalFen).toBe(68_000);
      expect((await get(`/procurement/orders/${orderId}`, supplierC)).status).toBe(403);
      expect((await post(`/procurement/orders/${orderId}/confirm`, supplierC)).status).toBe(403);
      const listA = await get('/procurement/orders', supplierA);
      expect(listA.body.items.map((o: { id: string }) => o.id)).toContain(orderId);
      for (const o of listA.body.items as { lines: { productId: string }[] }[]) {
        expect(o.lines.every((l) => l.productId === pepper.id)).toBe(true);
      }
      const early = await post(`/procurement/orders/${orderId}/ship`, supplierA);
      expect(early.status).toBe(409);
      expect((await post(`/procurement/orders/${orderId}/confirm`, supplierA)).body.status).toBe('APPROVED');
      expect((await post(`/procurement/orders/${orderId}/confirm`, supplierB)).body.status).toBe('CONFIRMED');
      expect((await post(`/procurement/orders/${orderId}/ship`, supplierA)).body.status).toBe('CONFIRMED');
      expect((await post(`/procurement/orders/${orderId}/ship`, supplierB)).body.status).toBe('SHIPPED');
    });

    it('the buyer accepts a short delivery: only what arrived counts, the rest goes back to stock', async () => {
      const accepted = 8 * 6800 + 5 * 12800; // two bags of pepper never arrived
      const tooMany = await post(`/procurement/orders/${orderId}/accept`, buyer, {
        lines: [{ productId: pepper.id, receivedQuantity: 11 }],
        invoiceNo: 'INV-1',
        invoiceFen: 1,
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.errors).toEqual([
        { field: 'lines[0].receivedQuantity', message: 'receivedQuantity must be at most the 10 ordered' },
      ]);
      const wrongInvoice = await post(`/procurement/orders/${orderId}/accept`, buyer, {
        lines: [
          { productId: pepper.id, receivedQuantity: 8 },
          { productId: tea.id, receivedQuantity: 5 },
        ],
        invoiceNo: '50012345',
        invoiceFen: 132_000,
      });
      expect(wrongInvoice.status).toBe(400);
      expect(wrongInvoice.body.errors[0].field).toBe('invoiceFen');
      const r = await post(`/procurement/orders/${orderId}/accept`, buyer, {
        lines: [
          { productId: pepper.id, receivedQuantity: 8 },
          { productId: tea.id, receivedQuantity: 5 },
        ],
        invoiceNo: '50012345',
        invoiceFen: accepted,
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({
        status: 'ACCEPTED',
        totalFen: 132_000,
        acceptedFen: 118_400,
        invoiceNo: '50012345',
        invoiceFen: 118_400,
        acceptedDate: businessDate(),
        dueDate: addDays(businessDate(), 30),
        overdue: false,
      });
      expect(r.body.lines.map((l: { receivedQuantity: number }) => l.receivedQuantity)).toEqual([8, 5]);
      expect(await remaining(lotPepper)).toBe(92);
      const core = await get(`/orders/${orderId}`);
      expect(core.body).toMatchObject({ status: 'PAID', totalFen: 118_400 });
      expect(
        core.body.lines.map((l: { quantity: number; amountFen: number }) => [l.quantity, l.amountFen]),
      ).toEqual([
        [8, 54_400],
        [5, 64_000],
      ]);
    });

    it('households are credited at acceptance, available at once', async () => {
      await until('the households credited', async () => (await income(householdB)).totalFen === 64_000);
      const a = await income(householdA);
      expect(a).toMatchObject({ totalFen: 54_400, availableFen: 54_400, pendingFen: 0 });
      expect(a.byChannel).toEqual({ KIOSK: 0, LIVESTREAM: 0, PROCUREMENT: 54_400, FAIR: 0, ONLINE: 0 });
      expect(await income(householdB)).toMatchObject({ totalFen: 64_000, availableFen: 64_000 });
    });

    it('the quota moves by exactly the accepted amount, and committed falls back to 0', async () => {
      const q = (await get(`/organizations/${unit}/quotas/${YEAR}`, approver)).body;
      expect(q).toMatchObject({
        committedFen: 0,
        acceptedFen: 118_400,
        countedFen: 118_400,
        remainingFen: 18_400_118,
      });
      expect(q.progressBps).toBe(Math.floor((118_400 * 10000) / 18_518_518));
      expect(q.progressBps).toBe(63);
    });

    it('payment is recorded by the district; the audit trail says who did what', async () => {
      expect((await post(`/procurement/orders/${orderId}/pay`, buyer, { reference: 'x' })).status).toBe(403);
      const paid = await post(`/procurement/orders/${orderId}/pay`, t.adminToken, {
        reference: 'CBC20261203-0042',
      });
      expect(paid.body).toMatchObject({ status: 'PAID', paymentRef: 'CBC20261203-0042' });
      const again = await post(`/procurement/orders/${orderId}/pay`, t.adminToken, { reference: 'again' });
      expect(again.status).toBe(409);
      const events = (await get(`/procurement/orders/${orderId}/events`, buyer)).body as {
        action: string;
        username: string;
      }[];
      expect(events.map((e) => [e.action, e.username])).toEqual([
        ['CREATED', 'unit.buyer'],
        ['SUBMITTED', 'unit.buyer'],
        ['APPROVED', 'unit.approver'],
        ['CONFIRMED', 'supplier.a'],
        ['CONFIRMED', 'supplier.b'],
        ['SHIPPED', 'supplier.a'],
        ['SHIPPED', 'supplier.b'],
        ['ACCEPTED', 'unit.buyer'],
        ['PAID', t.env.ADMIN_USERNAME],
      ]);
    });

    it('a unit never reads another unit’s orders', async () => {
      expect((await get(`/procurement/orders/${orderId}`, otherBuyer)).status).toBe(403);
      expect((await get(`/procurement/orders/${orderId}/events`, otherBuyer)).status).toBe(403);
      expect((await get('/procurement/orders', otherBuyer)).body.items).toEqual([]);
      expect((await get(`/procurement/orders?organizationId=${unit}`, otherBuyer)).status).toBe(403);
    });
  });

  describe('overdue payment', () => {
    it('an accepted order unpaid past its due date is listed, and the approvers get a daily SMS', async () => {
      const o = await post('/procurement/orders', buyer, {
        lines: [{ productId: pepper.id, quantity: 3 }],
        deliveryAddress: '食堂',
      });
      const id = o.body.id as string;
      await post(`/procurement/orders/${id}/submit`, buyer);
      await post(`/procurement/orders/${id}/approve`, approver);
      await post(`/procurement/orders/${id}/confirm`, supplierA);
      await post(`/procurement/orders/${id}/ship`, supplierA);
      await post(`/procurement/orders/${id}/accept`, buyer, {
        lines: [{ productId: pepper.id, receivedQuantity: 3 }],
        invoiceNo: 'INV-OVERDUE',
        invoiceFen: 20_400,
      });
      expect((await get('/procurement/overdue', buyer)).body).toEqual([]);
      // Thirty-one days later (the clock moved by the due date instead).
      await t.db.query('UPDATE procurement_orders SET due_date = ? WHERE id = ?', [
        addDays(businessDate(), -1),
        id,
      ]);
      const overdue = (await get('/procurement/overdue', buyer)).body;
      expect(overdue.map((x: { id: string; overdue: boolean }) => [x.id, x.overdue])).toEqual([[id, true]]);
      expect((await get('/procurement/overdue', otherBuyer)).body).toEqual([]);
      const { ProcurementOrdersService } = await import('@/modules/procurement/procurement-orders.service');
      const sent = await t.app.get(ProcurementOrdersService).remindOverdue();
      expect(sent).toEqual({ organizations: 1, messages: 2 });
      const [latest] = await sms('13900000001');
      expect(latest.text).toBe(
        `【消费扶贫】万州区财政局有1笔扶贫产品采购已验收未付款，合计204.00元，最早应于${addDays(businessDate(), -1)}前付款，现已逾期。请按时支付，保障脱贫户及时收款。`,
      );
      const events = (await get(`/procurement/orders/${id}/events`, buyer)).body as { action: string }[];
      expect(events[events.length - 1].action).toBe('REMINDED');
      await post(`/procurement/orders/${id}/pay`, t.adminToken, { reference: 'LATE-1' });
      expect((await get('/procurement/overdue')).body).toEqual([]);
    });
  });

  describe('employees and fairs count toward the quota', () => {
    let citizen: string;

    it('a citizen links to its employer; its purchases count only once the buyer confirms', async () => {
      citizen = await f.citizen('13700000009');
      const asked = await post('/me/employer', citizen, { organizationId: unit });
      expect(asked.status).toBe(201);
      expect(asked.body).toMatchObject({
        organizationId: unit,
        organizationName: '万州区财政局',
        status: 'PENDING',
      });
      const buy = async (quantity: number) => {
        const o = await post('/orders', citizen, { lines: [{ productId: pepper.id, quantity }] });
        expect(o.status).toBe(201);
        await pay(t, citizen, o.body.id);
        return o.body.id as string;
      };
      const before = await buy(1); // not counted: the link is not confirmed yet
      expect((await get(`/orders/${before}`)).body.attribution).toBeNull();
      const pending = await get(`/organizations/${unit}/employees?status=PENDING`, buyer);
      expect(pending.body.items.map((e: { status: string }) => e.status)).toEqual(['PENDING']);
      const userId = pending.body.items[0].userId as string;
      expect((await post(`/organizations/${unit}/employees/${userId}/confirm`, otherBuyer)).status).toBe(403);
      const ok = await post(`/organizations/${unit}/employees/${userId}/confirm`, buyer);
      expect(ok.status).toBe(200);
      expect(ok.body.status).toBe('CONFIRMED');
      const after = await buy(2);
      expect((await get(`/orders/${after}`)).body.attribution).toEqual({ employerId: unit });
      const q = (await get(`/organizations/${unit}/quotas/${YEAR}`, buyer)).body;
      expect(q).toMatchObject({
        acceptedFen: 118_400 + 20_400,
        employeeFen: 13_600,
        fairFen: 0,
        countedFen: 152_400,
      });
    });

    it('kiosk and livestream orders carry the employer too; procurement and fair orders do not', async () => {
      // What the order core merges into every order the citizen places, by channel.
      const { BuyerAttributions } = await import('@/modules/orders/channel-policy');
      const { Channel } = await import('@/modules/orders/entities/order.entity');
      const [{ id: userId }] = await t.db.query(
        "SELECT user_id AS id FROM organization_employees WHERE status = 'CONFIRMED'",
      );
      const of = (channel: (typeof Channel)[keyof typeof Channel]) =>
        t.app.get(BuyerAttributions).of(userId, channel);
      expect(await of(Channel.Kiosk)).toEqual({ employerId: unit });
      expect(await of(Channel.Livestream)).toEqual({ employerId: unit });
      expect(await of(Channel.Online)).toEqual({ employerId: unit });
      expect(await of(Channel.Procurement)).toEqual({});
      expect(await of(Channel.Fair)).toEqual({});
    });

    it('a fair sale is the household’s income (channel FAIR) and counts for the buying organization', async () => {
      const cadre = await f.user({
        username: 'cadre.changling',
        password: 'pass-12345',
        roles: ['CADRE'],
        regionCode: '500101118',
      });
      expect(cadre.id).toBeTruthy();
      const cadreToken = await t.login('cadre.changling', 'pass-12345');
      const elsewhere = await post('/fairs', cadreToken, {
        name: '川星村赶场',
        villageCode: '500101113201',
        date: businessDate(),
      });
      expect(elsewhere.status).toBe(403);
      const fair = await post('/fairs', cadreToken, {
        name: '安溪村扶贫赶场',
        villageCode: '500101118201',
        date: businessDate(),
        organizationId: group,
      });
      expect(fair.status).toBe(201);
      const sale = await post(`/fairs/${fair.body.id}/sales`, cadreToken, {
        householdId: householdB,
        description: '土鸡蛋',
        quantity: 30,
        amountFen: 4_500,
        buyerOrganizationId: unit,
      });
      expect(sale.status).toBe(201);
      expect(sale.body).toMatchObject({
        householdId: householdB,
        productId: null,
        amountFen: 4_500,
        buyerOrganizationId: unit,
      });
      // A unit's buyer records for its own unit only; an uncertified product is refused.
      const own = await post(`/fairs/${fair.body.id}/sales`, buyer, {
        householdId: householdA,
        description: '腊肉',
        quantity: 2,
        amountFen: 16_000,
      });
      expect(own.body.buyerOrganizationId).toBe(unit);
      expect(
        (
          await post(`/fairs/${fair.body.id}/sales`, buyer, {
            householdId: householdA,
            description: 'x',
            quantity: 1,
            amountFen: 1,
            buyerOrganizationId: otherUnit,
          })
        ).status,
      ).toBe(403);
      const bad = await post(`/fairs/${fair.body.id}/sales`, cadreToken, {
        householdId: householdA,
        productId: lapsed.id,
        description: '花椒',
        quantity: 1,
        amountFen: 100,
      });
      expect(bad.status).toBe(422);
      expect(bad.body.code).toBe('product-not-certified');
      await until('fair income credited', async () => (await income(householdB)).byChannel.FAIR === 4_500);
      // Income, and already in the household's hands: it took the cash at its stall, so no payout pays it again.
      expect(await income(householdB)).toMatchObject({
        totalFen: 68_500,
        availableFen: 68_500,
        paidOutFen: 4_500,
        balanceFen: 64_000,
      });
      // Sales are recorded on or after the market day; a cadre of another town sees neither fair nor sales.
      const tomorrow = await post('/fairs', cadreToken, {
        name: '下周赶场',
        villageCode: '500101118201',
        date: addDays(businessDate(), 1),
      });
      const early = await post(`/fairs/${tomorrow.body.id}/sales`, cadreToken, {
        householdId: householdB,
        description: '土鸡蛋',
        quantity: 1,
        amountFen: 100,
      });
      expect(early.status).toBe(422);
      expect(early.body.code).toBe('fair-not-held-yet');
      await f.user({
        username: 'cadre.fenshui',
        password: 'pass-12345',
        roles: ['CADRE'],
        regionCode: '500101113',
      });
      const other = await t.login('cadre.fenshui', 'pass-12345');
      expect((await get('/fairs', other)).body.items).toEqual([]);
      expect((await get(`/fairs/${fair.body.id}/sales`, other)).status).toBe(403);
      expect((await get('/fairs', cadreToken)).body.items.map((x: { id: string }) => x.id)).toContain(
        fair.body.id,
      );
      await until('fair income credited', async () => (await income(householdA)).byChannel.FAIR === 16_000);
      const q = (await get(`/organizations/${unit}/quotas/${YEAR}`, buyer)).body;
      expect(q).toEqual({
        organizationId: unit,
        year: YEAR,
        amountFen: 18_518_518,
        canteenBaseFen: 123_456_789,
        shareBps: 1500,
        committedFen: 0,
        acceptedFen: 138_800,
        employeeFen: 13_600,
        fairFen: 20_500,
        countedFen: 172_900,
        remainingFen: 18_345_618,
        progressBps: 93,
      });
      const listed = (await get(`/fairs/${fair.body.id}`, cadreToken)).body;
      expect(listed).toMatchObject({ sales: 2, amountFen: 20_500 });
    });
  });

  describe('reports', () => {
    it('by organization type in JSON, CSV and XLSX, with the same totals', async () => {
      const json = (await get(`/reports/procurement?year=${YEAR}&groupBy=organizationType`)).body;
      expect(json.rows).toEqual([
        {
          key: 'BUDGET_UNIT',
          label: '预算单位',
          orders: 2,
          acceptedFen: 138_800,
          employeeFen: 13_600,
          fairFen: 20_500,
          totalFen: 172_900,
        },
      ]);
      expect(json.totals).toEqual({
        orders: 2,
        acceptedFen: 138_800,
        employeeFen: 13_600,
        fairFen: 20_500,
        totalFen: 172_900,
      });
      // Two market days this year (one of them tomorrow, no sales yet).
      expect(json.fairs).toEqual({
        fairs: addDays(businessDate(), 1).startsWith(String(YEAR)) ? 2 : 1,
        sales: 2,
        amountFen: 20_500,
        unattributedFen: 0,
      });
      const csv = await get(`/reports/procurement?year=${YEAR}&groupBy=organizationType&format=csv`);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.text.split('\r\n').slice(0, 3)).toEqual([
        '\uFEFF单位类型,验收订单数,单位采购(元),职工消费(元),赶场采购(元),合计(元),合计(分)',
        '预算单位,2,1388.00,136.00,205.00,1729.00,172900',
        '合计,2,1388.00,136.00,205.00,1729.00,172900',
      ]);
      const xlsx = await get(`/reports/procurement?year=${YEAR}&groupBy=organizationType&format=xlsx`)
        .buffer(true)
        .parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        });
      expect(xlsx.headers['content-type']).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      const wb = new Workbook();
      await wb.xlsx.load(xlsx.body as never);
      const ws = wb.worksheets[0];
      expect(ws.getRow(1).getCell(1).value).toBe('单位类型');
      expect(ws.getRow(2).values).toEqual([undefined, '预算单位', 2, 1388, 136, 205, 1729, 172_900]);
      expect(ws.getRow(3).getCell(7).value).toBe(json.totals.totalFen);
    });

    it('by supplier and by category: what was accepted of each', async () => {
      const bySupplier = (await get(`/reports/procurement?year=${YEAR}&groupBy=supplier`)).body;
      expect(
        bySupplier.rows.map((r: { label: string; acceptedFen: number }) => [r.label, r.acceptedFen]),
      ).toEqual([
        ['王德明家庭农场', 54_400 + 20_400],
        ['李秀英茶园', 64_000],
      ]);
      const byCategory = (await get(`/reports/procurement?year=${YEAR}&groupBy=category`)).body;
      expect(
        byCategory.rows.map((r: { key: string; acceptedFen: number }) => [r.key, r.acceptedFen]),
      ).toEqual([
        ['花椒', 74_800],
        ['茶叶', 64_000],
      ]);
      expect((await get(`/reports/procurement?year=${YEAR}`, buyer)).status).toBe(403);
    });

    it('below quota, and monthly progress by department', async () => {
      const below = (await get(`/reports/procurement/below-quota?year=${YEAR}`)).body;
      expect(
        below.map((b: { organizationId: string; remainingFen: number }) => [
          b.organizationId,
          b.remainingFen,
        ]),
      ).toEqual([
        [otherUnit, 5_000_000],
        [unit, 18_345_618],
      ]);
      const month = Number(businessDate().slice(5, 7));
      const monthly = (await get(`/reports/procurement/monthly?year=${YEAR}&month=${month}`)).body;
      expect(monthly.departments).toEqual([
        {
          department: '财政系统',
          units: 1,
          unitsWithShare: 1,
          plannedFen: 18_518_518,
          completedFen: 172_900,
          doneBps: 93,
        },
      ]);
      expect(monthly.total).toMatchObject({ department: '合计', units: 1, plannedFen: 18_518_518 });
      const csv = await get(`/reports/procurement/monthly?year=${YEAR}&month=${month}&format=csv`);
      expect(csv.text.split('\r\n')[1]).toBe('财政系统,1,1,185185.18,1729,0.93');
    });

    it('impact: sales and household income by channel, organization type and town', async () => {
      const r = (await get(`/reports/impact?year=${YEAR}`)).body;
      const channel = (k: string) => r.byChannel.find((x: { key: string }) => x.key === k);
      expect(channel('PROCUREMENT')).toMatchObject({ salesFen: 138_800, householdIncomeFen: 138_800 });
      expect(channel('FAIR')).toMatchObject({ salesFen: 20_500, householdIncomeFen: 20_500 });
      expect(channel('ONLINE')).toMatchObject({ salesFen: 20_400, householdIncomeFen: 20_400 });
      const budget = r.byOrganizationType.find((x: { key: string }) => x.key === 'BUDGET_UNIT');
      // Its procurement, its employee's confirmed purchase and its fair purchases.
      expect(budget).toMatchObject({ salesFen: 138_800 + 13_600 + 20_500, householdIncomeFen: 172_900 });
      const towns = Object.fromEntries(
        r.byTown.map((x: { label: string; householdIncomeFen: number }) => [x.label, x.householdIncomeFen]),
      );
      expect(towns).toEqual({ 分水镇: 54_400 + 20_400 + 20_400 + 16_000, 长岭镇: 64_000 + 4_500 });
      expect(r.householdIncomeFen).toBe(54_400 + 20_400 + 20_400 + 16_000 + 64_000 + 4_500);
      expect(r.households).toBe(2);
      expect(buyerId).toBeTruthy();
    });
  });
  describe('races', () => {
    it('an approval racing a rejection leaves one outcome, and stock held only for an approved order', async () => {
      for (let i = 0; i < 4; i++) {
        const o = await post('/procurement/orders', buyer, {
          lines: [{ productId: pepper.id, quantity: 2 }],
          deliveryAddress: '食堂',
        });
        await post(`/procurement/orders/${o.body.id}/submit`, buyer);
        const before = await remaining(lotPepper);
        const [a, r] = await Promise.all([
          post(`/procurement/orders/${o.body.id}/approve`, approver),
          post(`/procurement/orders/${o.body.id}/reject`, both, { reason: '重复下单' }),
        ]);
        const statuses = [a.status, r.status].sort();
        expect(statuses).toEqual([200, 409]);
        const final = (await get(`/procurement/orders/${o.body.id}`, buyer)).body.status as string;
        const core = await get(`/orders/${o.body.id}`);
        if (final === 'APPROVED') {
          expect(core.body.status).toBe('PENDING_PAYMENT');
          expect(await remaining(lotPepper)).toBe(before - 2);
        } else {
          expect(final).toBe('REJECTED');
          expect([404, 200]).toContain(core.status);
          if (core.status === 200) {
            expect(core.body.status).toBe('CANCELLED');
          }
          expect(await remaining(lotPepper)).toBe(before);
        }
      }
    });
  });
  describe('calling an order off', () => {
    it('the buyer cancels an approved order nobody shipped: its stock goes back, its commitment leaves the quota', async () => {
      const o = await post('/procurement/orders', otherBuyer, {
        lines: [{ productId: tea.id, quantity: 3 }],
        deliveryAddress: '教委食堂',
      });
      const id = o.body.id as string;
      const [{ remaining: teaBefore }] = await t.db.query(
        'SELECT SUM(remaining) AS remaining FROM supply_lots WHERE product_id = ?',
        [tea.id],
      );
      await post(`/procurement/orders/${id}/submit`, otherBuyer);
      await f.user({
        username: 'other.approver',
        password: 'pass-12345',
        roles: ['UNIT_APPROVER'],
        organizationId: otherUnit,
      });
      const approved = await post(
        `/procurement/orders/${id}/approve`,
        await t.login('other.approver', 'pass-12345'),
      );
      expect(approved.body.status).toBe('APPROVED');
      const held = await t.db.query(
        'SELECT SUM(remaining) AS remaining FROM supply_lots WHERE product_id = ?',
        [tea.id],
      );
      expect(Number(held[0].remaining)).toBe(Number(teaBefore) - 3);
      expect((await get(`/organizations/${otherUnit}/quotas/${YEAR}`, otherBuyer)).body.committedFen).toBe(
        38_400,
      );
      expect((await post(`/procurement/orders/${id}/cancel`, buyer, { reason: 'x' })).status).toBe(403);
      const c = await post(`/procurement/orders/${id}/cancel`, otherBuyer, { reason: '供应商无法供货' });
      expect(c.status).toBe(200);
      expect(c.body).toMatchObject({ status: 'CANCELLED', rejectReason: '供应商无法供货' });
      expect((await get(`/orders/${id}`)).body.status).toBe('CANCELLED');
      const back = await t.db.query(
        'SELECT SUM(remaining) AS remaining FROM supply_lots WHERE product_id = ?',
        [tea.id],
      );
      expect(Number(back[0].remaining)).toBe(Number(teaBefore));
      expect((await get(`/organizations/${otherUnit}/quotas/${YEAR}`, otherBuyer)).body.committedFen).toBe(0);
      expect((await post(`/procurement/orders/${id}/cancel`, otherBuyer, { reason: 'again' })).status).toBe(
        409,
      );
    });

    it('an order whose lines shipped cannot be called off', async () => {
      expect((await post(`/procurement/orders/${orderId}/cancel`, buyer, { reason: '不要了' })).status).toBe(
        409,
      );
    });
  });
});
