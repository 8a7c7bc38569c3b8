import { maskIdNumber } from '@/common/crypto/mask';
import { Workbook } from 'exceljs';
import { demoHouseholds, DEMO_USERS, PROCUREMENT_2020 } from '@/cli/demo-data';
import { seedIfEmpty } from '@/cli/seed';
import { startTestApp, TestApp } from './support/test-app';

describe('demo data (npm run seed, and the first start)', () => {
  let t: TestApp;
  const q = async <T = any>(sql: string): Promise<T[]> => (await t.db.query(sql)) as T[];

  beforeAll(async () => {
    t = await startTestApp('seed');
    await q('DELETE FROM users'); // an empty database, as on a first start
    const r = await seedIfEmpty(t.app, t.env);
    expect(r.loaded).toBe(true);
  });
  afterAll(() => t.close());

  it('loads Wanzhou: 1 district, 4 towns, 12 villages (8 poor), 200 households', async () => {
    expect(await q('SELECT level, COUNT(*) AS n FROM regions GROUP BY level ORDER BY level')).toEqual([
      { level: 'DISTRICT', n: '1' },
      { level: 'TOWN', n: '4' },
      { level: 'VILLAGE', n: '12' },
    ]);
    expect(await q('SELECT COUNT(*) AS n FROM regions WHERE poor_village = 1')).toEqual([{ n: '8' }]);
    expect(await q('SELECT COUNT(*) AS n FROM households')).toEqual([{ n: '200' }]);
  });

  it('stores the households it generated, deterministically, with personal data masked', async () => {
    const expected = demoHouseholds()[0];
    const res = await t.http().get('/api/v1/households?limit=1').set('Authorization', t.adminToken);
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({
      registryNo: expected.registryNo,
      headName: expected.headName,
      idNumber: maskIdNumber(expected.idNumber),
      members: expected.members,
      villageCode: '500101113201',
    });
  });

  it('gives the Chuanxing cooperative 80 plot contracts at the source rates', async () => {
    const rows = await q(
      "SELECT plants, management_fee_fen_per_plant_year AS m, picking_fee_fen_per_jin AS p, dividend_tiers AS tiers, COUNT(*) AS n FROM benefit_linkages WHERE type = 'PLOT_CONTRACT' GROUP BY plants, m, p, tiers",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ plants: 2200, m: '450', p: '120', n: '80' });
    const tiers = typeof rows[0].tiers === 'string' ? JSON.parse(rows[0].tiers) : rows[0].tiers;
    expect(tiers).toEqual([
      { minJinPerPlant: 0, shareBps: 200 },
      { minJinPerPlant: 10, shareBps: 300 },
    ]);
  });

  it('gives the Anxi pig farm 24 equity households, 6 village collectives and 10 workers', async () => {
    expect(
      await q(
        "SELECT household_id IS NULL AS collective, invested_fen AS invested, annual_dividend_fen AS dividend, COUNT(*) AS n FROM benefit_linkages WHERE type = 'EQUITY' GROUP BY collective, invested, dividend ORDER BY collective",
      ),
    ).toEqual([
      { collective: 0, invested: '5000000', dividend: '400000', n: '24' },
      { collective: 1, invested: '40000000', dividend: '5000000', n: '6' },
    ]);
    expect(
      await q(
        "SELECT annual_wage_fen AS wage, COUNT(*) AS n FROM benefit_linkages WHERE type = 'EMPLOYMENT' GROUP BY wage",
      ),
    ).toEqual([{ wage: '2500000', n: '10' }]);
  });

  it('traces every household-sourced lot to households whose quantities add up', async () => {
    const lots = await q(
      'SELECT l.id, l.quantity, COALESCE(SUM(s.quantity), 0) AS sourced, COUNT(s.id) AS sources FROM supply_lots l LEFT JOIN lot_sources s ON s.lot_id = l.id GROUP BY l.id, l.quantity',
    );
    expect(lots).toHaveLength(17);
    const traced = lots.filter((l) => Number(l.sources) > 0);
    expect(traced).toHaveLength(15); // the pig farm's pork lot is the enterprise's own
    for (const l of traced) {
      expect(Number(l.sourced)).toBe(Number(l.quantity));
    }
    const trace = await t.http().get(`/api/v1/trace/lots/${traced[0].id}`);
    expect(trace.status).toBe(200);
    expect(trace.body.households.length).toBeGreaterThan(0);
  });

  it('lists the products, one of them uncertified because its certificate lapsed', async () => {
    const res = await t.http().get('/api/v1/products?limit=100');
    expect(res.body.items).toHaveLength(16);
    const uncertified = res.body.items
      .filter((p: { status: string }) => p.status === 'UNCERTIFIED')
      .map((p: { name: string }) => p.name);
    expect(uncertified.sort()).toEqual(['百花蜂蜜 250克（认定已过期）', '红心猕猴桃 3公斤装'].sort());
  });

  it('creates one login per role, each able to sign in with its documented password', async () => {
    for (const u of DEMO_USERS) {
      const res = await t
        .http()
        .post('/api/v1/auth/login')
        .send({ username: u.username, password: u.password });
      expect(res.status).toBe(200);
      expect(res.body.user.roles).toEqual([...u.roles]);
    }
    const admin = await t
      .http()
      .post('/api/v1/auth/login')
      .send({ username: t.env.ADMIN_USERNAME, password: t.env.ADMIN_PASSWORD });
    expect(admin.body.user.roles).toEqual(['ADMIN']);
    expect(await q("SELECT COUNT(*) AS n FROM users WHERE roles = 'CITIZEN'")).toEqual([{ n: '1' }]);
  });

  it('reproduces the source’s 2020 table: the procurement report by organization type, also as a spreadsheet', async () => {
    const get = (path: string) => t.http().get(`/api/v1${path}`).set('Authorization', t.adminToken);
    const r = (await get('/reports/procurement?year=2020&groupBy=organizationType')).body;
    const by = Object.fromEntries(
      r.rows.map((x: { key: string; acceptedFen: number }) => [x.key, x.acceptedFen]),
    ) as Record<string, number>;
    const source = PROCUREMENT_2020.byType;
    expect(by.BUDGET_UNIT).toBe(source.BUDGET_UNIT); // 1.90 million yuan
    expect(by.DISTRICT_GROUP).toBe(source.DISTRICT_GROUP); // 8.84 million, 44 groups
    expect(by.UNION + by.PUBLIC_INSTITUTION + by.STATE_ENTERPRISE).toBe(
      source['UNION+PUBLIC_INSTITUTION+STATE_ENTERPRISE'],
    ); // 5.08 million
    expect(by.PRIVATE_ENTERPRISE).toBe(source.PRIVATE_ENTERPRISE); // 0.80 million
    expect(by.MUNICIPAL_GROUP).toBe(source.MUNICIPAL_GROUP); // 3.90 million
    expect(Object.keys(by).sort()).toEqual([
      'BUDGET_UNIT',
      'DISTRICT_GROUP',
      'MUNICIPAL_GROUP',
      'PRIVATE_ENTERPRISE',
      'PUBLIC_INSTITUTION',
      'STATE_ENTERPRISE',
      'UNION',
    ]);
    expect(r.totals).toMatchObject({ acceptedFen: 2_052_000_000, employeeFen: 0, fairFen: 0 }); // 20.52 million
    // About 50 village fairs: 0.50 million yuan straight from households' stalls.
    expect(r.fairs).toEqual({ fairs: 50, sales: 250, amountFen: 50_000_000, unattributedFen: 50_000_000 });
    expect(await q("SELECT COUNT(*) AS n FROM organizations WHERE type = 'DISTRICT_GROUP'")).toEqual([
      { n: '44' },
    ]);
    const file = await get('/reports/procurement?year=2020&groupBy=organizationType&format=xlsx')
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    const wb = new Workbook();
    await wb.xlsx.load(file.body as never);
    const rows = wb.worksheets[0].getSheetValues().slice(2) as unknown[][];
    const fen = (label: string) => rows.find((x) => x?.[1] === label)?.[7];
    expect(fen('区级帮扶集团')).toBe(884_000_000);
    expect(fen('预算单位')).toBe(190_000_000);
    expect(fen('合计')).toBe(2_052_000_000);
  });

  it('lists the 2020 budget units below their quota, and their departments’ progress', async () => {
    const get = (path: string) => t.http().get(`/api/v1${path}`).set('Authorization', t.adminToken);
    const below = (await get('/reports/procurement/below-quota?year=2020')).body;
    expect(
      below.map((b: { name: string; countedFen: number; amountFen: number }) => [
        b.name,
        b.countedFen,
        b.amountFen,
      ]),
    ).toEqual([
      ['万州区农业农村委员会', 30_000_000, 60_000_000],
      ['万州区教育委员会', 55_000_000, 60_000_000],
    ]);
    const monthly = (await get('/reports/procurement/monthly?year=2020&month=12')).body;
    expect(monthly.total).toEqual({
      department: '合计',
      units: 4,
      unitsWithShare: 4,
      plannedFen: 225_000_000,
      completedFen: 190_000_000,
      doneBps: 8444,
    });
  });

  it('does nothing on a database that already holds data', async () => {
    const again = await seedIfEmpty(t.app, t.env);
    expect(again).toEqual({ loaded: false, reason: 'the database already holds data' });
    expect(await q('SELECT COUNT(*) AS n FROM households')).toEqual([{ n: '200' }]);
  });
});
