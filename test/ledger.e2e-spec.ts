import { businessDate } from '@/common/time';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

const API = '/api/v1';
const SOURCES = ['SALE', 'DIVIDEND', 'MANAGEMENT_FEE', 'PICKING_FEE', 'WAGE'];
const CHANNELS = ['KIOSK', 'LIVESTREAM', 'PROCUREMENT', 'FAIR', 'ONLINE'];
const TIERS = [
  { minJinPerPlant: 0, shareBps: 200 },
  { minJinPerPlant: 10, shareBps: 300 },
];
const MONTHS = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Every income source (or channel) at 0, with the given figures on top. */
const zeros = (keys: string[], over: Record<string, number> = {}) => ({
  ...Object.fromEntries(keys.map((k) => [k, 0])),
  ...over,
});

describe('ledger: accruals, harvests, seasons, income statements, allocation and monitoring', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let r: Awaited<ReturnType<ReturnType<typeof factory>['regions']>>;
  let citizen: string;
  let today: string;
  /** Every household this file creates, with its members (for the monitoring figures). */
  const created = new Map<string, number>();

  beforeAll(async () => {
    t = await startTestApp('ledger', {
      role: 'all',
      listen: true,
      env: { OTP_RESEND_SECONDS: '0', MONITOR_INCOME_LINE_FEN: '500000' },
    });
    f = factory(t);
    r = await f.regions();
    citizen = await f.citizen('13700000101');
    today = businessDate();
  });
  afterAll(() => t.close());

  async function household(members = 4, over: Record<string, unknown> = {}) {
    const h = await f.household({ members, ...over });
    created.set(h.id, members);
    return h;
  }

  const income = (id: string, query = '', token = t.adminToken) =>
    t.http().get(`${API}/households/${id}/income${query}`).set('Authorization', token);

  async function incomeBody(id: string, query = '') {
    const res = await income(id, query);
    expect(res.status).toBe(200);
    return res.body;
  }

  const accrue = (month: unknown) =>
    t.http().post(`${API}/ledger/accruals`).set('Authorization', t.adminToken).send({ month });

  async function linkage(supplierId: string, body: Record<string, unknown>) {
    const res = await t
      .http()
      .post(`${API}/suppliers/${supplierId}/linkages`)
      .set('Authorization', t.adminToken)
      .send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string };
  }

  const plotContract = (supplierId: string, householdId: string, startsOn?: string) =>
    linkage(supplierId, {
      type: 'PLOT_CONTRACT',
      householdId,
      plants: 2200,
      managementFeeFenPerPlantYear: 450,
      pickingFeeFenPerJin: 120,
      dividendTiers: TIERS,
      ...(startsOn ? { startsOn } : {}),
    });

  /** A citizen buys and pays through the sandbox; resolves once every line of the order is on the books. */
  async function buy(productId: string, quantity: number) {
    const order = await t
      .http()
      .post(`${API}/orders`)
      .set('Authorization', citizen)
      .send({ lines: [{ productId, quantity }] });
    expect(order.status).toBe(201);
    const pay = await t
      .http()
      .post(`${API}/orders/${order.body.id}/payments`)
      .set('Authorization', citizen)
      .send({ provider: 'sandbox' });
    expect(pay.status).toBe(201);
    await until('the order paid and allocated', async () => {
      const [{ n }] = await t.db.query('SELECT COUNT(*) AS n FROM journal_entries WHERE order_id = ?', [
        order.body.id,
      ]);
      return Number(n) === order.body.lines.length;
    });
    return order.body as { id: string; totalFen: number; lines: { id: string; lotId: string }[] };
  }

  /** The postings of one sale entry, as (account type, owner, amount, source). */
  async function saleEntry(lineId: string) {
    const rows = await t.db.query(
      `SELECT a.type, a.owner_id AS ownerId, p.amount_fen AS amountFen, p.source
         FROM journal_entries e JOIN postings p ON p.entry_id = e.id JOIN ledger_accounts a ON a.id = p.account_id
        WHERE e.idempotency_key = ? ORDER BY p.id`,
      [`sale:${lineId}`],
    );
    return rows.map((p: any) => [p.type, p.ownerId, Number(p.amountFen), p.source]);
  }

  async function accountSum(type: string, ownerId: string): Promise<number> {
    const [{ s }] = await t.db.query(
      `SELECT COALESCE(SUM(p.amount_fen), 0) AS s FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
        WHERE a.type = ? AND a.owner_id = ?`,
      [type, ownerId],
    );
    return Number(s);
  }

  const entryCount = async () => Number((await t.db.query('SELECT COUNT(*) AS n FROM journal_entries'))[0].n);

  // ------------------------------------------------------------------------------------------------
  let hhA: { id: string };
  let hhB: { id: string };
  let pepper: { id: string };

  describe('monthly accruals of the demo contracts', () => {
    let pigFarm: { id: string };

    beforeAll(async () => {
      hhA = await household(4);
      hhB = await household(1);
      pepper = await f.supplier({ name: '川星花椒专业合作社', type: 'COOPERATIVE' });
      pigFarm = await f.supplier({ name: '安溪生态养猪场', type: 'ENTERPRISE', villageCode: r.otherVillage });
      await plotContract(pepper.id, hhA.id, '2026-01-01');
      await linkage(pigFarm.id, {
        type: 'EQUITY',
        householdId: hhA.id,
        investedFen: 5_000_000,
        annualDividendFen: 400_000,
        startsOn: '2026-01-01',
      });
      await linkage(pigFarm.id, {
        type: 'EQUITY',
        collectiveVillageCode: r.otherVillage,
        investedFen: 40_000_000,
        annualDividendFen: 5_000_000,
        startsOn: '2026-01-01',
      });
      await linkage(pigFarm.id, {
        type: 'EMPLOYMENT',
        householdId: hhA.id,
        annualWageFen: 2_500_000,
        startsOn: '2026-01-01',
      });
      await linkage(pigFarm.id, {
        type: 'EMPLOYMENT',
        householdId: hhB.id,
        annualWageFen: 2_500_000,
        startsOn: '2026-07-01',
      });
    });

    it('January to December post each yearly amount in twelve parts that add up fen for fen', async () => {
      for (const [i, month] of MONTHS.entries()) {
        const res = await accrue(month);
        expect(res.status).toBe(200);
        // Four agreements from January; the wage starting on 1 July joins them from July.
        expect(res.body).toEqual({ month, posted: i < 6 ? 4 : 5 });
      }

      const a = await incomeBody(hhA.id);
      expect(a.bySource).toEqual(
        zeros(SOURCES, { MANAGEMENT_FEE: 990_000, DIVIDEND: 400_000, WAGE: 2_500_000 }),
      );
      expect(a.byChannel).toEqual(zeros(CHANNELS));
      expect(a.totalFen).toBe(3_890_000);
      expect(a.pendingFen + a.availableFen).toBe(a.totalFen);
      expect(a.paidOutFen).toBe(0);
      expect(a.balanceFen).toBe(a.availableFen);

      const bySource = (source: string) => a.entries.filter((e: any) => e.source === source);
      const ends = MONTHS.map(monthEnd);
      // 2200 plants × 450 fen = 990,000 fen a year: 82,500 a month exactly.
      expect(bySource('MANAGEMENT_FEE').map((e: any) => [e.date, e.amountFen])).toEqual(
        ends.map((d) => [d, 82_500]),
      );
      // 400,000 / 12 = 33,333.33…: the four largest-remainder fen go to the first four months.
      expect(bySource('DIVIDEND').map((e: any) => [e.date, e.amountFen])).toEqual(
        ends.map((d, i) => [d, i < 4 ? 33_334 : 33_333]),
      );
      expect(bySource('WAGE').map((e: any) => [e.date, e.amountFen])).toEqual(
        ends.map((d, i) => [d, i < 4 ? 208_334 : 208_333]),
      );
      expect(a.entries).toHaveLength(36);
      for (const e of a.entries) {
        expect(e).toMatchObject({
          kind: 'ACCRUAL',
          channel: null,
          orderId: null,
          lotId: null,
          availableOn: e.date,
          status: e.date <= today ? 'AVAILABLE' : 'PENDING',
          memo: `${e.source} ${e.date.slice(0, 7)}`,
        });
      }
      const pending = a.entries
        .filter((e: any) => e.date > today)
        .reduce((s: number, e: any) => s + e.amountFen, 0);
      expect(a.pendingFen).toBe(pending);
      expect(a.availableFen).toBe(3_890_000 - pending);

      // The village collective's 5,000,000 a year, and the suppliers' accounts that pay it all.
      const collective = await t.db.query(
        `SELECT p.business_date AS d, p.amount_fen AS fen FROM postings p JOIN ledger_accounts a ON a.id = p.account_id
          WHERE a.type = 'VILLAGE_COLLECTIVE' AND a.owner_id = ? ORDER BY p.business_date`,
        [r.otherVillage],
      );
      expect(collective.map((c: any) => [c.d, Number(c.fen)])).toEqual(
        ends.map((d, i) => [d, i < 8 ? 416_667 : 416_666]),
      );
      expect(await accountSum('VILLAGE_COLLECTIVE', r.otherVillage)).toBe(5_000_000);
      expect(await accountSum('SUPPLIER', pepper.id)).toBe(-990_000);
      expect(await accountSum('SUPPLIER', pigFarm.id)).toBe(-(400_000 + 5_000_000 + 2_500_000 + 6 * 208_333));
    });

    it('running a month again posts nothing new', async () => {
      const before = await entryCount();
      for (const month of ['2026-03', '2026-12']) {
        const res = await accrue(month);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ month, posted: 0 });
      }
      expect(await entryCount()).toBe(before);
      expect((await incomeBody(hhA.id)).totalFen).toBe(3_890_000);
    });

    it('an agreement starting on 1 July accrues nothing before July', async () => {
      const firstHalf = await incomeBody(hhB.id, '?from=2026-01-01&to=2026-06-30');
      expect(firstHalf.totalFen).toBe(0);
      expect(firstHalf.entries).toEqual([]);

      const year = await incomeBody(hhB.id);
      // Months 7 to 12 get parts 7 to 12 of the yearly 2,500,000: 208,333 each.
      expect(year.bySource).toEqual(zeros(SOURCES, { WAGE: 6 * 208_333 }));
      expect(year.entries.map((e: any) => [e.date, e.source, e.amountFen])).toEqual(
        MONTHS.slice(6).map((m) => [monthEnd(m), 'WAGE', 208_333]),
      );
    });

    it('a month that is not YYYY-MM is 400 validation-failed and posts nothing', async () => {
      const before = await entryCount();
      for (const month of ['2026-13', '2026-00', '2026-1', '26-01', '2026-01-01', 202601, undefined]) {
        const res = await accrue(month);
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('validation-failed');
        expect(res.body.errors.map((e: any) => e.field)).toContain('month');
      }
      expect(await entryCount()).toBe(before);
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('harvests, sale dividends and the season close', () => {
    const season = () => today.slice(0, 4);
    let coop: { id: string };
    let hhC: { id: string };
    let hhD: { id: string };
    let noContract: { id: string };
    let clerk: string;
    let product: { id: string };
    let lot: { id: string };

    beforeAll(async () => {
      coop = await f.supplier({ name: '分水花椒合作社', type: 'COOPERATIVE' });
      hhC = await household(4);
      hhD = await household(4);
      noContract = await household(4);
      await plotContract(coop.id, hhC.id);
      await plotContract(coop.id, hhD.id);
      await f.user({
        username: 'coop-clerk',
        password: 'clerk-pass-1',
        roles: ['SUPPLIER'],
        supplierId: coop.id,
      });
      clerk = await t.login('coop-clerk', 'clerk-pass-1');
      product = await f.product(coop.id, { priceFen: 6400 });
      lot = await f.lot(product.id, {
        quantity: 20,
        sources: [
          { householdId: hhC.id, quantity: 10 },
          { householdId: hhD.id, quantity: 10 },
        ],
      });
    });

    const harvest = (supplierId: string, body: Record<string, unknown>, token = t.adminToken) =>
      t.http().post(`${API}/suppliers/${supplierId}/harvests`).set('Authorization', token).send(body);

    it('a picking pays 1.20 yuan a jin, rounded to the fen, as PICKING_FEE (ADMIN and the own SUPPLIER)', async () => {
      const first = await harvest(coop.id, { householdId: hhC.id, pickedOn: today, weightGrams: 123_456 });
      expect(first.status).toBe(201);
      // 123,456 g = 246.912 jin × 120 = 29,629.44 fen → 29,629.
      expect(first.body).toEqual({
        id: expect.any(String),
        supplierId: coop.id,
        householdId: hhC.id,
        season: season(),
        pickedOn: today,
        weightGrams: 123_456,
        feeFen: 29_629,
      });
      const second = await harvest(
        coop.id,
        { householdId: hhC.id, pickedOn: today, weightGrams: 2290 },
        clerk,
      );
      expect(second.status).toBe(201);
      // 2,290 g = 4.58 jin × 120 = 549.6 fen → 550.
      expect(second.body.feeFen).toBe(550);

      const c = await incomeBody(hhC.id);
      expect(c.bySource).toEqual(zeros(SOURCES, { PICKING_FEE: 30_179 }));
      expect(c.totalFen).toBe(30_179);
      expect(c.availableFen).toBe(30_179);
      expect(c.entries.map((e: any) => [e.kind, e.source, e.date, e.amountFen, e.status])).toEqual([
        ['PICKING_FEE', 'PICKING_FEE', today, 29_629, 'AVAILABLE'],
        ['PICKING_FEE', 'PICKING_FEE', today, 550, 'AVAILABLE'],
      ]);
      expect(await accountSum('SUPPLIER', coop.id)).toBe(-30_179);
    });

    it('a household without a plot contract is 404 plot-contract-not-found; another supplier is 403', async () => {
      const before = Number((await t.db.query('SELECT COUNT(*) AS n FROM harvests'))[0].n);
      const none = await harvest(coop.id, { householdId: noContract.id, pickedOn: today, weightGrams: 1000 });
      expect(none.status).toBe(404);
      expect(none.body.code).toBe('plot-contract-not-found');

      const foreign = await harvest(
        pepper.id,
        { householdId: hhA.id, pickedOn: today, weightGrams: 1000 },
        clerk,
      );
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('forbidden');

      const future = await harvest(coop.id, {
        householdId: hhC.id,
        pickedOn: addDays(today, 1),
        weightGrams: 1000,
      });
      expect(future.status).toBe(400);
      expect(future.body.errors.map((e: any) => e.field)).toEqual(['pickedOn']);

      expect(Number((await t.db.query('SELECT COUNT(*) AS n FROM harvests'))[0].n)).toBe(before);
      expect((await incomeBody(noContract.id)).totalFen).toBe(0);
      expect((await incomeBody(hhA.id)).bySource.PICKING_FEE).toBe(0);
    });

    it("a sale of the cooperative's product pays each contract household 2 % of its part as DIVIDEND", async () => {
      const order = await buy(product.id, 2);
      expect(order.totalFen).toBe(12_800);
      expect(order.lines).toHaveLength(1);
      expect(order.lines[0].lotId).toBe(lot.id);
      // 12,800 fen, half from each household: 2 % of 6,400 = 128 each, the rest to the cooperative.
      expect(await saleEntry(order.lines[0].id)).toEqual([
        ['PAYMENT_CLEARING', 'sandbox', -12_800, 'SALE'],
        ['HOUSEHOLD', hhC.id, 128, 'DIVIDEND'],
        ['HOUSEHOLD', hhD.id, 128, 'DIVIDEND'],
        ['SUPPLIER', coop.id, 12_544, 'SALE'],
      ]);
      const c = await incomeBody(hhC.id);
      expect(c.bySource).toEqual(zeros(SOURCES, { DIVIDEND: 128, PICKING_FEE: 30_179 }));
      expect(c.byChannel).toEqual(zeros(CHANNELS, { ONLINE: 128 }));
      // Online credits wait for the seven-day refund window.
      expect(c.pendingFen).toBe(128);
      const d = await incomeBody(hhD.id);
      expect(d.bySource).toEqual(zeros(SOURCES, { DIVIDEND: 128 }));
      expect(d.totalFen).toBe(128);
    });

    it('closing the season trues up 10 jin a plant to 3 %, leaves a lower yield at 2 %, and closes once', async () => {
      const other = await f.supplier({ name: '别家合作社' });
      const forbidden = await t
        .http()
        .post(`${API}/suppliers/${other.id}/seasons/${season()}/close`)
        .set('Authorization', clerk)
        .send({ yields: [] });
      expect(forbidden.status).toBe(403);

      const close = () =>
        t
          .http()
          .post(`${API}/suppliers/${coop.id}/seasons/${season()}/close`)
          .set('Authorization', clerk)
          .send({
            yields: [
              { householdId: hhC.id, gramsPerPlant: 5000 },
              { householdId: hhD.id, gramsPerPlant: 4999 },
            ],
          });
      const res = await close();
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        supplierId: coop.id,
        season: season(),
        results: [
          // 3 % of 6,400 = 192, of which 128 was paid at 2 %: the 1 % difference, 64.
          { householdId: hhC.id, gramsPerPlant: 5000, rateBps: 300, trueUpFen: 64 },
          { householdId: hhD.id, gramsPerPlant: 4999, rateBps: 200, trueUpFen: 0 },
        ],
      });
      const c = await incomeBody(hhC.id);
      expect(c.bySource).toEqual(zeros(SOURCES, { DIVIDEND: 192, PICKING_FEE: 30_179 }));
      const trueUp = c.entries.filter((e: any) => e.kind === 'DIVIDEND_TRUE_UP');
      expect(trueUp).toEqual([
        expect.objectContaining({ source: 'DIVIDEND', amountFen: 64, date: today, status: 'AVAILABLE' }),
      ]);
      expect((await incomeBody(hhD.id)).bySource.DIVIDEND).toBe(128);
      expect(await accountSum('SUPPLIER', coop.id)).toBe(-30_179 + 12_544 - 64);

      const before = await entryCount();
      const again = await close();
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('season-closed');
      expect(await entryCount()).toBe(before);
      expect((await incomeBody(hhC.id)).bySource.DIVIDEND).toBe(192);
    });

    it("without yields the season takes each household's picked grams per plant from its harvests", async () => {
      const yieldCoop = await f.supplier({ name: '高产花椒合作社', type: 'COOPERATIVE' });
      const hhH = await household(4);
      await plotContract(yieldCoop.id, hhH.id);
      // 11,000,000 g over 2,200 plants = 5,000 g = 10 jin a plant; the picking fee is 2,640,000 fen.
      const picked = await harvest(yieldCoop.id, {
        householdId: hhH.id,
        pickedOn: today,
        weightGrams: 11_000_000,
      });
      expect(picked.body.feeFen).toBe(2_640_000);
      const own = await f.product(yieldCoop.id, { priceFen: 5000 });
      await f.lot(own.id, { quantity: 5, sources: [{ householdId: hhH.id, quantity: 5 }] });
      const order = await buy(own.id, 1);
      expect(await saleEntry(order.lines[0].id)).toEqual([
        ['PAYMENT_CLEARING', 'sandbox', -5000, 'SALE'],
        ['HOUSEHOLD', hhH.id, 100, 'DIVIDEND'],
        ['SUPPLIER', yieldCoop.id, 4900, 'SALE'],
      ]);

      const unknown = await t
        .http()
        .post(`${API}/suppliers/${yieldCoop.id}/seasons/${season()}/close`)
        .set('Authorization', t.adminToken)
        .send({ yields: [{ householdId: hhC.id, gramsPerPlant: 6000 }] });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.map((e: any) => e.field)).toEqual(['yields[0].householdId']);

      const res = await t
        .http()
        .post(`${API}/suppliers/${yieldCoop.id}/seasons/${season()}/close`)
        .set('Authorization', t.adminToken)
        .send({});
      expect(res.status).toBe(201);
      expect(res.body.results).toEqual([
        { householdId: hhH.id, gramsPerPlant: 5000, rateBps: 300, trueUpFen: 50 },
      ]);
      expect((await incomeBody(hhH.id)).bySource).toEqual(
        zeros(SOURCES, { DIVIDEND: 150, PICKING_FEE: 2_640_000 }),
      );
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('GET /households/:id/income', () => {
    it('a household with no income has every key, at 0', async () => {
      const empty = await household(3);
      const res = await income(empty.id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        householdId: empty.id,
        from: null,
        to: null,
        totalFen: 0,
        pendingFen: 0,
        availableFen: 0,
        paidOutFen: 0,
        balanceFen: 0,
        bySource: zeros(SOURCES),
        byChannel: zeros(CHANNELS),
        entries: [],
      });
    });

    it('from and to filter by business date, both ends included', async () => {
      const q1 = await incomeBody(hhA.id, '?from=2026-01-01&to=2026-03-31');
      expect(q1).toMatchObject({
        from: '2026-01-01',
        to: '2026-03-31',
        totalFen: 82_500 * 3 + 100_002 + 625_002,
      });
      expect(q1.bySource).toEqual(
        zeros(SOURCES, { MANAGEMENT_FEE: 247_500, DIVIDEND: 100_002, WAGE: 625_002 }),
      );
      expect(q1.entries).toHaveLength(9);
      expect(q1.pendingFen + q1.availableFen).toBe(q1.totalFen);

      const dec = await incomeBody(hhA.id, '?from=2026-12-31');
      expect(dec.bySource).toEqual(
        zeros(SOURCES, { MANAGEMENT_FEE: 82_500, DIVIDEND: 33_333, WAGE: 208_333 }),
      );
      const upToJan = await incomeBody(hhA.id, '?to=2026-01-31');
      expect(upToJan.totalFen).toBe(82_500 + 33_334 + 208_334);
      const none = await incomeBody(hhA.id, '?from=2026-02-01&to=2026-02-27');
      expect(none.totalFen).toBe(0);
      expect(none.entries).toEqual([]);

      const reversed = await income(hhA.id, '?from=2026-03-01&to=2026-02-01');
      expect(reversed.status).toBe(400);
      expect(reversed.body.code).toBe('validation-failed');
      const badDate = await income(hhA.id, '?from=2026-02-30');
      expect(badDate.status).toBe(400);
    });

    it('a CADRE sees its own town, 403 for another town; an unknown household is 404', async () => {
      await f.user({
        username: 'cadre-fenshui',
        password: 'cadre-pass-1',
        roles: ['CADRE'],
        regionCode: r.town,
      });
      await f.user({
        username: 'cadre-changling',
        password: 'cadre-pass-2',
        roles: ['CADRE'],
        regionCode: r.otherTown,
      });
      const own = await t.login('cadre-fenshui', 'cadre-pass-1');
      const otherTown = await t.login('cadre-changling', 'cadre-pass-2');

      const seen = await income(hhA.id, '', own);
      expect(seen.status).toBe(200);
      expect(seen.body.totalFen).toBe(3_890_000);

      const refused = await income(hhA.id, '', otherTown);
      expect(refused.status).toBe(403);
      expect(refused.body.code).toBe('forbidden');
      expect(refused.body.totalFen).toBeUndefined();

      const unknown = await income('01ARZ3NDEKTSV4RRFFQ69G5FAV');
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('not-found');

      expect((await income(hhA.id, '', citizen)).status).toBe(403);
      expect((await t.http().get(`${API}/households/${hhA.id}/income`)).status).toBe(401);
    });
  });

  // ------------------------------------------------------------------------------------------------
  let hhF: { id: string };
  let hhG: { id: string };

  describe('allocation of a cooperative sale by revenue shares', () => {
    let coop: { id: string };

    beforeAll(async () => {
      coop = await f.supplier({ name: '长岭茶叶合作社', type: 'COOPERATIVE' });
      hhF = await household(4);
      hhG = await household(4);
      await linkage(coop.id, { type: 'REVENUE_SHARE', householdId: hhF.id, shareBps: 500 });
      await linkage(coop.id, { type: 'REVENUE_SHARE', householdId: hhG.id, shareBps: 500 });
    });

    it('12,800 fen → 640 and 640 to the two households, 11,520 to the cooperative; the trace agrees', async () => {
      const product = await f.product(coop.id, { priceFen: 6400 });
      const lot = await f.lot(product.id, { quantity: 10 });
      const order = await buy(product.id, 2);
      expect(order.totalFen).toBe(12_800);
      expect(await saleEntry(order.lines[0].id)).toEqual([
        ['PAYMENT_CLEARING', 'sandbox', -12_800, 'SALE'],
        ['HOUSEHOLD', hhF.id, 640, 'SALE'],
        ['HOUSEHOLD', hhG.id, 640, 'SALE'],
        ['SUPPLIER', coop.id, 11_520, 'SALE'],
      ]);
      for (const h of [hhF, hhG]) {
        const body = await incomeBody(h.id);
        expect(body.bySource).toEqual(zeros(SOURCES, { SALE: 640 }));
        expect(body.byChannel).toEqual(zeros(CHANNELS, { ONLINE: 640 }));
        expect([body.totalFen, body.pendingFen, body.availableFen]).toEqual([640, 640, 0]);
      }
      expect(await accountSum('SUPPLIER', coop.id)).toBe(11_520);
      const trace = await t.http().get(`${API}/trace/lots/${lot.id}`);
      expect(trace.status).toBe(200);
      expect(trace.body.householdIncomeFen).toBe(1280);
    });

    it('999 fen split 5 % / 5 % / 90 % by largest remainder: 50, 50 and 899', async () => {
      const product = await f.product(coop.id, { priceFen: 999 });
      const lot = await f.lot(product.id, { quantity: 5 });
      const order = await buy(product.id, 1);
      // 49.95, 49.95 and 899.10: the two fen left go to the largest remainders, the households.
      expect(await saleEntry(order.lines[0].id)).toEqual([
        ['PAYMENT_CLEARING', 'sandbox', -999, 'SALE'],
        ['HOUSEHOLD', hhF.id, 50, 'SALE'],
        ['HOUSEHOLD', hhG.id, 50, 'SALE'],
        ['SUPPLIER', coop.id, 899, 'SALE'],
      ]);
      expect((await incomeBody(hhF.id)).bySource.SALE).toBe(690);
      expect((await t.http().get(`${API}/trace/lots/${lot.id}`)).body.householdIncomeFen).toBe(100);
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('return-to-poverty monitoring', () => {
    const LINE = 500_000;

    /** What the monitoring should decide: the trailing twelve months of income, per member, under the line. */
    async function expectedMonitored() {
      const out = new Map<string, string>();
      for (const [id, members] of created) {
        const body = await incomeBody(id, `?from=${addDays(today, -364)}&to=${today}`);
        const perMember = Math.floor(body.totalFen / members);
        if (perMember < LINE) {
          out.set(
            id,
            `trailing 12-month income per member ${perMember} fen (to ${today}) is below the monitoring line of ${LINE} fen`,
          );
        }
      }
      return out;
    }

    async function monitoredList() {
      const res = await t
        .http()
        .get(`${API}/households?status=MONITORED&limit=200`)
        .set('Authorization', t.adminToken);
      expect(res.status).toBe(200);
      return new Map<string, string>(res.body.items.map((h: any) => [h.id, h.statusReason]));
    }

    const household1 = async (id: string) =>
      (await t.http().get(`${API}/households/${id}`).set('Authorization', t.adminToken)).body;

    it('households under the line become MONITORED with the figures; one with accrued income stays LIFTED', async () => {
      const expected = await expectedMonitored();
      // The fixtures: the accrual household is well above the line, the sale households far below it.
      expect(expected.has(hhA.id)).toBe(false);
      expect(expected.get(hhF.id)).toBe(
        `trailing 12-month income per member 172 fen (to ${today}) is below the monitoring line of 500000 fen`,
      );
      expect(expected.has(hhG.id)).toBe(true);

      const res = await t.http().post(`${API}/ledger/monitoring`).set('Authorization', t.adminToken).send();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ monitored: expected.size, lifted: 0 });
      expect(await monitoredList()).toEqual(expected);
      expect(await household1(hhA.id)).toMatchObject({ status: 'LIFTED', statusReason: null });
    });

    it('a monitored household whose income rises is LIFTED again on the next run', async () => {
      const coop = await f.supplier({ name: '复耕合作社', type: 'COOPERATIVE' });
      await plotContract(coop.id, hhF.id);
      const picked = await t
        .http()
        .post(`${API}/suppliers/${coop.id}/harvests`)
        .set('Authorization', t.adminToken)
        .send({ householdId: hhF.id, pickedOn: today, weightGrams: 10_000_000 });
      expect(picked.status).toBe(201);
      expect(picked.body.feeFen).toBe(2_400_000);

      const expected = await expectedMonitored();
      expect(expected.has(hhF.id)).toBe(false);
      const res = await t.http().post(`${API}/ledger/monitoring`).set('Authorization', t.adminToken).send();
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ monitored: expected.size, lifted: 1 });
      expect(await household1(hhF.id)).toMatchObject({ status: 'LIFTED', statusReason: null });
      expect(await monitoredList()).toEqual(expected);
      expect(expected.has(hhG.id)).toBe(true);
    });
  });

  // ------------------------------------------------------------------------------------------------
  describe('invariants, after everything above', () => {
    it('every journal entry of this file sums to zero, and has at least two postings', async () => {
      expect(await entryCount()).toBeGreaterThan(60);
      expect(
        await t.db.query('SELECT entry_id FROM postings GROUP BY entry_id HAVING SUM(amount_fen) <> 0'),
      ).toEqual([]);
      expect(
        await t.db.query(
          'SELECT e.id FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id GROUP BY e.id HAVING COUNT(p.id) < 2',
        ),
      ).toEqual([]);
    });
  });
});
