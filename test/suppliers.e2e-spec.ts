import { fields } from './support/answers';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';
const ULID = /^[0-9A-Z]{26}$/;
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** Today's business date in Asia/Shanghai. */
const today = () =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date());

describe('suppliers and benefit linkages', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let r: Awaited<ReturnType<ReturnType<typeof factory>['regions']>>;
  let h1: { id: string };
  let h2: { id: string };
  let h3: { id: string };

  beforeAll(async () => {
    t = await startTestApp('suppliers');
    f = factory(t);
    r = await f.regions();
    h1 = await f.household({ headName: '王德明' });
    h2 = await f.household({ headName: '李秀英' });
    h3 = await f.household({ headName: '陈大山', villageCode: '500101118201' });
  });
  afterAll(() => t.close());

  const postSupplier = (body: object, token = t.adminToken) =>
    t.http().post(`${API}/suppliers`).set('Authorization', token).send(body);
  const postLinkage = (supplierId: string, body: object, token = t.adminToken) =>
    t.http().post(`${API}/suppliers/${supplierId}/linkages`).set('Authorization', token).send(body);
  const linkageCount = async (supplierId: string) => {
    const [{ n }] = await t.db.query('SELECT COUNT(*) AS n FROM benefit_linkages WHERE supplier_id = ?', [
      supplierId,
    ]);
    return Number(n);
  };

  describe('POST /suppliers', () => {
    it('creates a COOPERATIVE and an ENTERPRISE without a household', async () => {
      const coop = await postSupplier({
        name: '川星花椒专业合作社',
        type: 'COOPERATIVE',
        villageCode: r.village,
      });
      expect(coop.status).toBe(201);
      expect(coop.body).toEqual({
        id: expect.stringMatching(ULID),
        name: '川星花椒专业合作社',
        type: 'COOPERATIVE',
        villageCode: r.village,
        householdId: null,
      });
      const ent = await postSupplier({
        name: '安溪生态养猪场',
        type: 'ENTERPRISE',
        villageCode: r.otherVillage,
      });
      expect(ent.status).toBe(201);
      expect(ent.body).toEqual({
        id: expect.stringMatching(ULID),
        name: '安溪生态养猪场',
        type: 'ENTERPRISE',
        villageCode: r.otherVillage,
        householdId: null,
      });
      const got = await t.http().get(`${API}/suppliers/${ent.body.id}`).set('Authorization', t.adminToken);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(ent.body);
    });

    it('creates a HOUSEHOLD supplier bound to its household', async () => {
      const res = await postSupplier({
        name: '王德明土鸡蛋',
        type: 'HOUSEHOLD',
        villageCode: r.village,
        householdId: h1.id,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        name: '王德明土鸡蛋',
        type: 'HOUSEHOLD',
        villageCode: r.village,
        householdId: h1.id,
      });
      const rows = await t.db.query('SELECT type, household_id FROM suppliers WHERE id = ?', [res.body.id]);
      expect(rows).toEqual([{ type: 'HOUSEHOLD', household_id: h1.id }]);
    });

    it('a HOUSEHOLD supplier needs an existing householdId', async () => {
      const none = await postSupplier({ name: '无户', type: 'HOUSEHOLD', villageCode: r.village });
      expect(none.status).toBe(400);
      expect(none.body.code).toBe('validation-failed');
      expect(none.body.errors).toEqual([
        { field: 'householdId', message: 'a HOUSEHOLD supplier needs householdId' },
      ]);
      const unknown = await postSupplier({
        name: '无户',
        type: 'HOUSEHOLD',
        villageCode: r.village,
        householdId: UNKNOWN_ID,
      });
      expect(unknown.status).toBe(400);
      expect(fields(unknown.body)).toEqual(['householdId']);
    });

    it('a COOPERATIVE or ENTERPRISE must not have a householdId', async () => {
      for (const type of ['COOPERATIVE', 'ENTERPRISE']) {
        const res = await postSupplier({ name: '无户', type, villageCode: r.village, householdId: h2.id });
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([
          { field: 'householdId', message: `a ${type} supplier is not a household` },
        ]);
      }
    });

    it('an unknown village, a town as village or an unknown type is 400', async () => {
      for (const villageCode of ['500101113999', r.town]) {
        const res = await postSupplier({ name: '无村', type: 'COOPERATIVE', villageCode });
        expect(res.status).toBe(400);
        expect(fields(res.body)).toEqual(['villageCode']);
      }
      const type = await postSupplier({ name: '无村', type: 'FARM', villageCode: r.village });
      expect(type.status).toBe(400);
      expect(fields(type.body)).toEqual(['type']);
      const [{ n }] = await t.db.query("SELECT COUNT(*) AS n FROM suppliers WHERE name IN ('无户', '无村')");
      expect(Number(n)).toBe(0);
    });

    it('only an ADMIN creates suppliers', async () => {
      expect((await t.http().post(`${API}/suppliers`).send({})).status).toBe(401);
      await f.user({ username: 'cadre-sup', password: 'cadre-pass-1', roles: ['CADRE'], regionCode: r.town });
      const cadre = await t.login('cadre-sup', 'cadre-pass-1');
      const res = await postSupplier({ name: '越权社', type: 'COOPERATIVE', villageCode: r.village }, cadre);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
    });
  });

  describe('linkages', () => {
    let coop: { id: string };
    let farm: { id: string };

    beforeAll(async () => {
      coop = await f.supplier({ name: '川星花椒专业合作社二' });
      farm = await f.supplier({ name: '安溪生态养猪场二', type: 'ENTERPRISE', villageCode: r.otherVillage });
    });

    it('REVENUE_SHARE echoes shareBps and nothing of another type', async () => {
      const res = await postLinkage(coop.id, { type: 'REVENUE_SHARE', householdId: h1.id, shareBps: 1500 });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        supplierId: coop.id,
        type: 'REVENUE_SHARE',
        householdId: h1.id,
        collectiveVillageCode: null,
        startsOn: today(),
        active: true,
        shareBps: 1500,
      });
    });

    it('PLOT_CONTRACT echoes the four-splits terms exactly', async () => {
      const res = await postLinkage(coop.id, {
        type: 'PLOT_CONTRACT',
        householdId: h1.id,
        plants: 2200,
        managementFeeFenPerPlantYear: 450,
        pickingFeeFenPerJin: 120,
        dividendTiers: [
          { minJinPerPlant: 0, shareBps: 200 },
          { minJinPerPlant: 10, shareBps: 300 },
        ],
        startsOn: '2020-03-01',
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        supplierId: coop.id,
        type: 'PLOT_CONTRACT',
        householdId: h1.id,
        collectiveVillageCode: null,
        startsOn: '2020-03-01',
        active: true,
        plants: 2200,
        managementFeeFenPerPlantYear: 450,
        pickingFeeFenPerJin: 120,
        dividendTiers: [
          { minJinPerPlant: 0, shareBps: 200 },
          { minJinPerPlant: 10, shareBps: 300 },
        ],
      });
    });

    it('EQUITY for a household and for a village collective', async () => {
      const household = await postLinkage(farm.id, {
        type: 'EQUITY',
        householdId: h3.id,
        investedFen: 5000000,
        annualDividendFen: 400000,
      });
      expect(household.status).toBe(201);
      expect(household.body).toEqual({
        id: expect.stringMatching(ULID),
        supplierId: farm.id,
        type: 'EQUITY',
        householdId: h3.id,
        collectiveVillageCode: null,
        startsOn: today(),
        active: true,
        investedFen: 5000000,
        annualDividendFen: 400000,
      });
      const collective = await postLinkage(farm.id, {
        type: 'EQUITY',
        collectiveVillageCode: r.otherVillage,
        investedFen: 40000000,
        annualDividendFen: 5000000,
      });
      expect(collective.status).toBe(201);
      expect(collective.body).toEqual({
        id: expect.stringMatching(ULID),
        supplierId: farm.id,
        type: 'EQUITY',
        householdId: null,
        collectiveVillageCode: r.otherVillage,
        startsOn: today(),
        active: true,
        investedFen: 40000000,
        annualDividendFen: 5000000,
      });
    });

    it('EMPLOYMENT echoes annualWageFen', async () => {
      const res = await postLinkage(farm.id, {
        type: 'EMPLOYMENT',
        householdId: h3.id,
        annualWageFen: 2500000,
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        supplierId: farm.id,
        type: 'EMPLOYMENT',
        householdId: h3.id,
        collectiveVillageCode: null,
        startsOn: today(),
        active: true,
        annualWageFen: 2500000,
      });
    });

    it('GET /suppliers/:id/linkages lists them as they were answered, in creation order', async () => {
      const s = await f.supplier({ name: '列表合作社' });
      const a = await f.post(`/suppliers/${s.id}/linkages`, {
        type: 'REVENUE_SHARE',
        householdId: h2.id,
        shareBps: 2500,
      });
      const b = await f.post(`/suppliers/${s.id}/linkages`, {
        type: 'PLOT_CONTRACT',
        householdId: h2.id,
        plants: 2200,
        managementFeeFenPerPlantYear: 450,
        pickingFeeFenPerJin: 120,
        dividendTiers: [
          { minJinPerPlant: 0, shareBps: 200 },
          { minJinPerPlant: 10, shareBps: 300 },
        ],
      });
      const c = await f.post(`/suppliers/${s.id}/linkages`, {
        type: 'EQUITY',
        collectiveVillageCode: r.village,
        investedFen: 5000000,
        annualDividendFen: 400000,
      });
      const d = await f.post(`/suppliers/${s.id}/linkages`, {
        type: 'EMPLOYMENT',
        householdId: h1.id,
        annualWageFen: 2500000,
      });
      const res = await t.http().get(`${API}/suppliers/${s.id}/linkages`).set('Authorization', t.adminToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([a, b, c, d]);

      const farmList = await t
        .http()
        .get(`${API}/suppliers/${farm.id}/linkages`)
        .set('Authorization', t.adminToken);
      expect(farmList.status).toBe(200);
      expect(farmList.body.map((l: { type: string }) => l.type)).toEqual(['EQUITY', 'EQUITY', 'EMPLOYMENT']);
      expect(farmList.body[0]).toMatchObject({ investedFen: 5000000, annualDividendFen: 400000 });

      const unknown = await t
        .http()
        .get(`${API}/suppliers/${UNKNOWN_ID}/linkages`)
        .set('Authorization', t.adminToken);
      expect(unknown.status).toBe(404);
    });

    it('a missing field of the type is 400 naming it', async () => {
      const cases: [object, string[]][] = [
        [{ type: 'REVENUE_SHARE', householdId: h2.id }, ['shareBps']],
        [
          {
            type: 'PLOT_CONTRACT',
            householdId: h2.id,
            plants: 2200,
            managementFeeFenPerPlantYear: 450,
            dividendTiers: [{ minJinPerPlant: 0, shareBps: 200 }],
          },
          ['pickingFeeFenPerJin'],
        ],
        [
          { type: 'PLOT_CONTRACT', householdId: h2.id, plants: 2200, managementFeeFenPerPlantYear: 450 },
          ['dividendTiers', 'pickingFeeFenPerJin'],
        ],
        [{ type: 'EQUITY', householdId: h2.id, investedFen: 5000000 }, ['annualDividendFen']],
        [{ type: 'EMPLOYMENT', householdId: h2.id }, ['annualWageFen']],
        [{ type: 'EMPLOYMENT', annualWageFen: 2500000 }, ['householdId']],
      ];
      const before = await linkageCount(coop.id);
      for (const [body, expected] of cases) {
        const res = await postLinkage(coop.id, body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation-failed');
        expect(fields(res.body)).toEqual(expected);
      }
      const one = await postLinkage(coop.id, { type: 'EMPLOYMENT', householdId: h2.id });
      expect(one.body.errors).toEqual([
        { field: 'annualWageFen', message: 'annualWageFen is required for EMPLOYMENT' },
      ]);
      expect(await linkageCount(coop.id)).toBe(before);
    });

    it('a field of another type is 400 naming it', async () => {
      const cases: [object, string[]][] = [
        [{ type: 'EMPLOYMENT', householdId: h2.id, annualWageFen: 2500000, shareBps: 100 }, ['shareBps']],
        [{ type: 'REVENUE_SHARE', householdId: h2.id, shareBps: 100, investedFen: 1 }, ['investedFen']],
        [
          {
            type: 'EQUITY',
            householdId: h2.id,
            investedFen: 5000000,
            annualDividendFen: 400000,
            plants: 10,
            annualWageFen: 1,
          },
          ['annualWageFen', 'plants'],
        ],
        [
          {
            type: 'REVENUE_SHARE',
            householdId: h2.id,
            shareBps: 100,
            dividendTiers: [{ minJinPerPlant: 0, shareBps: 200 }],
          },
          ['dividendTiers'],
        ],
        [
          {
            type: 'EMPLOYMENT',
            householdId: h2.id,
            annualWageFen: 2500000,
            collectiveVillageCode: r.village,
          },
          ['collectiveVillageCode'],
        ],
      ];
      const before = await linkageCount(coop.id);
      for (const [body, expected] of cases) {
        const res = await postLinkage(coop.id, body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('validation-failed');
        expect(fields(res.body)).toEqual(expected);
      }
      const one = await postLinkage(coop.id, {
        type: 'EMPLOYMENT',
        householdId: h2.id,
        annualWageFen: 2500000,
        shareBps: 100,
      });
      expect(one.body.errors).toEqual([
        { field: 'shareBps', message: 'shareBps does not apply to EMPLOYMENT' },
      ]);
      expect(await linkageCount(coop.id)).toBe(before);
    });

    it('dividend tiers must start at 0 and rise strictly', async () => {
      const plot = (dividendTiers: object[]) => ({
        type: 'PLOT_CONTRACT',
        householdId: h2.id,
        plants: 2200,
        managementFeeFenPerPlantYear: 450,
        pickingFeeFenPerJin: 120,
        dividendTiers,
      });
      const notZero = await postLinkage(coop.id, plot([{ minJinPerPlant: 1, shareBps: 200 }]));
      expect(notZero.status).toBe(400);
      expect(notZero.body.errors).toEqual([
        { field: 'dividendTiers[0].minJinPerPlant', message: 'the first tier must start at 0 jin per plant' },
      ]);
      const flat = await postLinkage(
        coop.id,
        plot([
          { minJinPerPlant: 0, shareBps: 200 },
          { minJinPerPlant: 10, shareBps: 300 },
          { minJinPerPlant: 10, shareBps: 400 },
        ]),
      );
      expect(flat.status).toBe(400);
      expect(flat.body.errors).toEqual([
        { field: 'dividendTiers[2].minJinPerPlant', message: 'tiers must rise strictly in minJinPerPlant' },
      ]);
      const falling = await postLinkage(
        coop.id,
        plot([
          { minJinPerPlant: 0, shareBps: 200 },
          { minJinPerPlant: 10, shareBps: 300 },
          { minJinPerPlant: 5, shareBps: 250 },
        ]),
      );
      expect(falling.status).toBe(400);
      expect(fields(falling.body)).toEqual(['dividendTiers[2].minJinPerPlant']);
      const empty = await postLinkage(coop.id, plot([]));
      expect(empty.status).toBe(400);
      expect(fields(empty.body)).toEqual(['dividendTiers']);
      const badTier = await postLinkage(coop.id, plot([{ minJinPerPlant: 0, shareBps: 10001 }]));
      expect(badTier.status).toBe(400);
      expect(fields(badTier.body)).toEqual(['dividendTiers[0].shareBps']);
      const [{ n }] = await t.db.query(
        "SELECT COUNT(*) AS n FROM benefit_linkages WHERE household_id = ? AND type = 'PLOT_CONTRACT' AND supplier_id = ?",
        [h2.id, coop.id],
      );
      expect(Number(n)).toBe(0);
    });

    it('startsOn is a calendar date: a datetime or an impossible day is 400', async () => {
      const before = await linkageCount(coop.id);
      for (const startsOn of ['2024-09-01T10:00:00+08:00', '2024-02-30', '2024/09/01']) {
        const res = await postLinkage(coop.id, {
          type: 'EMPLOYMENT',
          householdId: h2.id,
          annualWageFen: 2500000,
          startsOn,
        });
        expect(res.status).toBe(400);
        expect([...new Set(fields(res.body))]).toEqual(['startsOn']);
      }
      expect(await linkageCount(coop.id)).toBe(before);
    });

    it('EQUITY with both or neither beneficiary is 400', async () => {
      const terms = { type: 'EQUITY', investedFen: 5000000, annualDividendFen: 400000 };
      const before = await linkageCount(farm.id);
      const both = await postLinkage(farm.id, {
        ...terms,
        householdId: h2.id,
        collectiveVillageCode: r.village,
      });
      expect(both.status).toBe(400);
      expect(both.body.errors).toEqual([
        { field: 'householdId', message: 'EQUITY needs exactly one of householdId or collectiveVillageCode' },
      ]);
      const neither = await postLinkage(farm.id, terms);
      expect(neither.status).toBe(400);
      expect(fields(neither.body)).toEqual(['householdId']);
      const town = await postLinkage(farm.id, { ...terms, collectiveVillageCode: r.town });
      expect(town.status).toBe(400);
      expect(fields(town.body)).toEqual(['collectiveVillageCode']);
      const unknown = await postLinkage(farm.id, { ...terms, householdId: UNKNOWN_ID });
      expect(unknown.status).toBe(400);
      expect(fields(unknown.body)).toEqual(['householdId']);
      expect(await linkageCount(farm.id)).toBe(before);
    });

    it('revenue shares of one supplier may add up to 10000 bps, not past: 422 shares-exceed-sale', async () => {
      const s = await f.supplier({ name: '分成合作社' });
      const a = await postLinkage(s.id, { type: 'REVENUE_SHARE', householdId: h1.id, shareBps: 6000 });
      expect(a.status).toBe(201);
      const b = await postLinkage(s.id, { type: 'REVENUE_SHARE', householdId: h2.id, shareBps: 3999 });
      expect(b.status).toBe(201);
      const over = await postLinkage(s.id, { type: 'REVENUE_SHARE', householdId: h3.id, shareBps: 2 });
      expect(over.status).toBe(422);
      expect(over.body.code).toBe('shares-exceed-sale');
      expect(await linkageCount(s.id)).toBe(2);
      const exact = await postLinkage(s.id, { type: 'REVENUE_SHARE', householdId: h3.id, shareBps: 1 });
      expect(exact.status).toBe(201);
      const h4 = await f.household({ headName: '赵小红' });
      const full = await postLinkage(s.id, { type: 'REVENUE_SHARE', householdId: h4.id, shareBps: 1 });
      expect(full.status).toBe(422);
      expect(full.body.code).toBe('shares-exceed-sale');
      // Other linkage types do not count toward the sale.
      const wage = await postLinkage(s.id, {
        type: 'EMPLOYMENT',
        householdId: h3.id,
        annualWageFen: 2500000,
      });
      expect(wage.status).toBe(201);
      const rows: { share_bps: number | null }[] = await t.db.query(
        "SELECT share_bps FROM benefit_linkages WHERE supplier_id = ? AND type = 'REVENUE_SHARE' ORDER BY id",
        [s.id],
      );
      expect(rows.map((x) => Number(x.share_bps))).toEqual([6000, 3999, 1]);
      // Another supplier's shares are its own.
      const other = await f.supplier({ name: '另一分成社' });
      const res = await postLinkage(other.id, { type: 'REVENUE_SHARE', householdId: h1.id, shareBps: 10000 });
      expect(res.status).toBe(201);
    });

    it('concurrent revenue shares cannot together pass 10000 bps', async () => {
      const s = await f.supplier({ name: '并发分成社' });
      const results = await Promise.all(
        [h1, h2, h3].map((h) =>
          postLinkage(s.id, { type: 'REVENUE_SHARE', householdId: h.id, shareBps: 4000 }),
        ),
      );
      expect(results.map((x) => x.status).sort()).toEqual([201, 201, 422]);
      const [{ total }] = await t.db.query(
        'SELECT SUM(share_bps) AS total FROM benefit_linkages WHERE supplier_id = ?',
        [s.id],
      );
      expect(Number(total)).toBe(8000);
    });

    it('a linkage on a HOUSEHOLD supplier is 422 linkage-not-applicable', async () => {
      const own = await f.supplier({ name: '李秀英蜂蜜', type: 'HOUSEHOLD', householdId: h2.id });
      const res = await postLinkage(own.id, { type: 'REVENUE_SHARE', householdId: h1.id, shareBps: 100 });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('linkage-not-applicable');
      expect(await linkageCount(own.id)).toBe(0);
    });

    it('a duplicate (same supplier, beneficiary and type) is 409 linkage-exists', async () => {
      const s = await f.supplier({ name: '重复合作社' });
      await f.post(`/suppliers/${s.id}/linkages`, {
        type: 'EMPLOYMENT',
        householdId: h1.id,
        annualWageFen: 2500000,
      });
      const dup = await postLinkage(s.id, { type: 'EMPLOYMENT', householdId: h1.id, annualWageFen: 3000000 });
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('linkage-exists');
      await f.post(`/suppliers/${s.id}/linkages`, {
        type: 'REVENUE_SHARE',
        householdId: h1.id,
        shareBps: 100,
      });
      const dupShare = await postLinkage(s.id, { type: 'REVENUE_SHARE', householdId: h1.id, shareBps: 100 });
      expect(dupShare.status).toBe(409);
      expect(dupShare.body.code).toBe('linkage-exists');
      const equity = { type: 'EQUITY', investedFen: 100, annualDividendFen: 10 };
      await f.post(`/suppliers/${s.id}/linkages`, { ...equity, collectiveVillageCode: r.village });
      const dupCollective = await postLinkage(s.id, { ...equity, collectiveVillageCode: r.village });
      expect(dupCollective.status).toBe(409);
      expect(dupCollective.body.code).toBe('linkage-exists');
      // Same beneficiary with another type, or another beneficiary with the same type: fine.
      expect((await postLinkage(s.id, { ...equity, householdId: h1.id })).status).toBe(201);
      expect(
        (await postLinkage(s.id, { type: 'EMPLOYMENT', householdId: h2.id, annualWageFen: 2500000 })).status,
      ).toBe(201);
      const list = await t.http().get(`${API}/suppliers/${s.id}/linkages`).set('Authorization', t.adminToken);
      expect(
        list.body.map((l: { type: string; householdId: string | null }) => [l.type, l.householdId]),
      ).toEqual([
        ['EMPLOYMENT', h1.id],
        ['REVENUE_SHARE', h1.id],
        ['EQUITY', null],
        ['EQUITY', h1.id],
        ['EMPLOYMENT', h2.id],
      ]);
      expect(list.body[0].annualWageFen).toBe(2500000);
    });

    it('an unknown supplier is 404; only an ADMIN adds linkages', async () => {
      const res = await postLinkage(UNKNOWN_ID, { type: 'REVENUE_SHARE', householdId: h1.id, shareBps: 100 });
      expect(res.status).toBe(404);
      const s = await f.supplier();
      await f.user({ username: 'sup-own', password: 'supplier-pass', roles: ['SUPPLIER'], supplierId: s.id });
      const token = await t.login('sup-own', 'supplier-pass');
      const own = await postLinkage(
        s.id,
        { type: 'REVENUE_SHARE', householdId: h1.id, shareBps: 100 },
        token,
      );
      expect(own.status).toBe(403);
      expect(own.body.code).toBe('forbidden');
      expect(await linkageCount(s.id)).toBe(0);
    });
  });

  describe('SUPPLIER users', () => {
    let mine: { id: string };
    let theirs: { id: string };
    let token: string;

    beforeAll(async () => {
      mine = await f.supplier({ name: '我的合作社' });
      theirs = await f.supplier({ name: '别人的合作社' });
      await f.post(`/suppliers/${mine.id}/linkages`, {
        type: 'REVENUE_SHARE',
        householdId: h1.id,
        shareBps: 500,
      });
      await f.user({
        username: 'sup-mine',
        password: 'supplier-pass',
        roles: ['SUPPLIER'],
        supplierId: mine.id,
      });
      token = await t.login('sup-mine', 'supplier-pass');
    });

    it('sees its own supplier and its linkages', async () => {
      const res = await t.http().get(`${API}/suppliers/${mine.id}`).set('Authorization', token);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: mine.id,
        name: '我的合作社',
        type: 'COOPERATIVE',
        villageCode: r.village,
        householdId: null,
      });
      const links = await t.http().get(`${API}/suppliers/${mine.id}/linkages`).set('Authorization', token);
      expect(links.status).toBe(200);
      expect(links.body).toHaveLength(1);
      expect(links.body[0]).toMatchObject({ type: 'REVENUE_SHARE', householdId: h1.id, shareBps: 500 });
    });

    it('gets 403 forbidden for another supplier and for the list of all', async () => {
      for (const path of [`/suppliers/${theirs.id}`, `/suppliers/${theirs.id}/linkages`, '/suppliers']) {
        const res = await t.http().get(`${API}${path}`).set('Authorization', token);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('forbidden');
        expect(res.body).not.toHaveProperty('name');
      }
    });
  });
});
