import { factory, idNumber } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';
const ULID = /^[0-9A-Z]{26}$/;

/** An ID number of the factory with its check character replaced by a wrong one. */
function badCheckDigit(id: string): string {
  const wrong = '10X98765432'.split('').find((c) => c !== id[17])!;
  return id.slice(0, 17) + wrong;
}

describe('regions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('regions');
  });
  afterAll(() => t.close());

  const post = (body: object, token = t.adminToken) =>
    t.http().post(`${API}/regions`).set('Authorization', token).send(body);

  it('builds a district → town → village tree and answers each region as created', async () => {
    const d = await post({ code: '500102', name: '涪陵区', level: 'DISTRICT' });
    expect(d.status).toBe(201);
    expect(d.body).toEqual({
      code: '500102',
      name: '涪陵区',
      level: 'DISTRICT',
      parentCode: null,
      poorVillage: false,
    });

    const town = await post({ code: '500102101', name: '南沱镇', level: 'TOWN', parentCode: '500102' });
    expect(town.status).toBe(201);
    expect(town.body).toEqual({
      code: '500102101',
      name: '南沱镇',
      level: 'TOWN',
      parentCode: '500102',
      poorVillage: false,
    });

    const village = await post({
      code: '500102101201',
      name: '睦和村',
      level: 'VILLAGE',
      parentCode: '500102101',
      poorVillage: true,
    });
    expect(village.status).toBe(201);
    expect(village.body).toEqual({
      code: '500102101201',
      name: '睦和村',
      level: 'VILLAGE',
      parentCode: '500102101',
      poorVillage: true,
    });

    const plain = await post({
      code: '500102101202',
      name: '石佛村',
      level: 'VILLAGE',
      parentCode: '500102101',
    });
    expect(plain.status).toBe(201);
    expect(plain.body.poorVillage).toBe(false);

    await post({ code: '500102102', name: '珍溪镇', level: 'TOWN', parentCode: '500102' }).expect(201);

    const got = await t.http().get(`${API}/regions/500102101201`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(village.body);
  });

  it('GET /regions?parentCode= lists exactly the children, ordered by code', async () => {
    const towns = await t.http().get(`${API}/regions?parentCode=500102&level=TOWN`);
    expect(towns.status).toBe(200);
    expect(towns.body).toEqual([
      { code: '500102101', name: '南沱镇', level: 'TOWN', parentCode: '500102', poorVillage: false },
      { code: '500102102', name: '珍溪镇', level: 'TOWN', parentCode: '500102', poorVillage: false },
    ]);
    const villages = await t.http().get(`${API}/regions?parentCode=500102101`);
    expect(villages.status).toBe(200);
    expect(villages.body.map((r: { code: string }) => r.code)).toEqual(['500102101201', '500102101202']);
    const none = await t.http().get(`${API}/regions?parentCode=500102102`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual([]);
  });

  it('a TOWN needs a DISTRICT parent', async () => {
    for (const parentCode of [undefined, '500102101', '500102101201', 'NOPE99']) {
      const res = await post({ code: '500102199', name: '坏镇', level: 'TOWN', parentCode });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation-failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['parentCode']);
    }
    const missing = await t.http().get(`${API}/regions/500102199`);
    expect(missing.status).toBe(404);
  });

  it('a VILLAGE needs a TOWN parent', async () => {
    for (const parentCode of [undefined, '500102', '500102101201', 'NOPE99']) {
      const res = await post({ code: '500102101299', name: '坏村', level: 'VILLAGE', parentCode });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation-failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['parentCode']);
    }
    expect((await t.http().get(`${API}/regions/500102101299`)).status).toBe(404);
  });

  it('a DISTRICT has no parent', async () => {
    const res = await post({ code: '500199', name: '坏区', level: 'DISTRICT', parentCode: '500102' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['parentCode']);
  });

  it('only a VILLAGE can be a poor village', async () => {
    const town = await post({
      code: '500102103',
      name: '贫镇',
      level: 'TOWN',
      parentCode: '500102',
      poorVillage: true,
    });
    expect(town.status).toBe(400);
    expect(town.body.code).toBe('validation-failed');
    expect(town.body.errors).toEqual([
      { field: 'poorVillage', message: 'only a VILLAGE can be a poor village' },
    ]);
    const district = await post({ code: '500198', name: '贫区', level: 'DISTRICT', poorVillage: true });
    expect(district.status).toBe(400);
    expect(district.body.errors.map((e: { field: string }) => e.field)).toEqual(['poorVillage']);
    expect((await t.http().get(`${API}/regions/500102103`)).status).toBe(404);
    expect((await t.http().get(`${API}/regions/500198`)).status).toBe(404);
  });

  it('a duplicate code is 409 region-exists and changes nothing', async () => {
    const res = await post({ code: '500102101', name: '另一个镇', level: 'TOWN', parentCode: '500102' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('region-exists');
    const got = await t.http().get(`${API}/regions/500102101`);
    expect(got.body.name).toBe('南沱镇');
  });

  it('concurrent creations of one code: one 201, the others 409 region-exists (never a bare duplicate)', async () => {
    for (let round = 0; round < 10; round++) {
      const code = `50010210${String(round).padStart(2, '0')}`;
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => post({ code, name: '并发镇', level: 'TOWN', parentCode: '500102' })),
      );
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      for (const a of answers.filter((x) => x.status === 409)) {
        expect(a.body.code).toBe('region-exists');
      }
      const rows = await t.db.query('SELECT COUNT(*) AS n FROM regions WHERE code = ?', [code]);
      expect(Number(rows[0].n)).toBe(1);
    }
  });

  it('rejects a malformed code and an unknown level', async () => {
    const res = await post({ code: 'a b', name: 'x', level: 'PROVINCE' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['code', 'level']);
  });

  it('only an ADMIN creates regions', async () => {
    const anon = await t.http().post(`${API}/regions`).send({ code: '500197', name: 'x', level: 'DISTRICT' });
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe('unauthenticated');
    await t
      .http()
      .post(`${API}/users`)
      .set('Authorization', t.adminToken)
      .send({ username: 'cadre-regions', password: 'cadre-pass-1', roles: ['CADRE'], regionCode: '500102' })
      .expect(201);
    const cadre = await t.login('cadre-regions', 'cadre-pass-1');
    const res = await post({ code: '500197', name: 'x', level: 'DISTRICT' }, cadre);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    expect((await t.http().get(`${API}/regions/500197`)).status).toBe(404);
  });
});

describe('households', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let r: Awaited<ReturnType<ReturnType<typeof factory>['regions']>>;
  /** A second village in the first town. */
  const sibling = '500101113202';

  beforeAll(async () => {
    t = await startTestApp('households');
    f = factory(t);
    r = await f.regions();
    await f.post('/regions', { code: sibling, name: '双河村', level: 'VILLAGE', parentCode: r.town });
  });
  afterAll(() => t.close());

  const create = (body: object, token = t.adminToken) =>
    t.http().post(`${API}/households`).set('Authorization', token).send(body);
  const get = (path: string, token = t.adminToken) =>
    t.http().get(`${API}${path}`).set('Authorization', token);

  /** Every item of a list, walking `nextCursor` page by page. */
  async function walk(query: string, token = t.adminToken, limit = 3) {
    const items: { id: string; villageCode: string; status: string }[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 100; i++) {
      const sep = query ? '&' : '';
      const res = await get(
        `/households?${query}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        token,
      );
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['items', 'nextCursor']);
      items.push(...res.body.items);
      sizes.push(res.body.items.length);
      cursor = res.body.nextCursor;
      if (cursor === null) {
        return { items, sizes };
      }
      expect(cursor).toMatch(ULID);
    }
    throw new Error('pagination did not end');
  }

  it('POST /households answers 201 with the personal data masked', async () => {
    const id = idNumber(9001);
    const res = await create({
      registryNo: 'WZ-2020-0001',
      headName: '王德明',
      idNumber: id,
      phone: '13912345678',
      members: 4,
      villageCode: r.village,
      bankAccount: '6222020200112233445',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(ULID),
      registryNo: 'WZ-2020-0001',
      headName: '王德明',
      idNumber: `5001**********${id.slice(14)}`,
      phone: '139****5678',
      bankAccount: '***************3445',
      members: 4,
      villageCode: r.village,
      status: 'LIFTED',
      statusReason: null,
    });
    const got = await get(`/households/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  it('stores no plain ID number, phone or bank account in the households row', async () => {
    const id = idNumber(9002);
    const res = await create({
      registryNo: 'WZ-2020-0002',
      headName: '李秀英',
      idNumber: id,
      phone: '13987654321',
      members: 2,
      villageCode: r.village,
      bankAccount: '621700123456789012',
    });
    expect(res.status).toBe(201);
    const rows: Record<string, unknown>[] = await t.db.query('SELECT * FROM households WHERE id = ?', [
      res.body.id,
    ]);
    expect(rows).toHaveLength(1);
    const row = rows[0];
    for (const [column, value] of Object.entries(row)) {
      const text = value instanceof Date ? value.toISOString() : String(value);
      for (const secret of [
        id,
        id.slice(4, 14),
        '13987654321',
        '98765432',
        '621700123456789012',
        '1234567890',
      ]) {
        if (text.includes(secret)) {
          throw new Error(`column ${column} holds plain personal data: ${text}`);
        }
      }
    }
    expect(row.id_number_masked).toBe(`5001**********${id.slice(14)}`);
    expect(row.phone_masked).toBe('139****4321');
    expect(row.bank_account_masked).toBe('**************9012');
    expect(row.id_number_enc).not.toBe(id);
    expect(String(row.id_number_enc).length).toBeGreaterThan(18);
    expect(row.phone_enc).not.toBeNull();
    expect(row.bank_account_enc).not.toBeNull();
  });

  it('without phone and bank account, both answer null; a given status is kept', async () => {
    const id = idNumber(9003);
    const res = await create({
      registryNo: 'WZ-2020-0003',
      headName: '张三',
      idNumber: id,
      members: 1,
      villageCode: r.village,
      status: 'MONITORED',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(ULID),
      registryNo: 'WZ-2020-0003',
      headName: '张三',
      idNumber: `5001**********${id.slice(14)}`,
      phone: null,
      bankAccount: null,
      members: 1,
      villageCode: r.village,
      status: 'MONITORED',
      statusReason: null,
    });
  });

  it('an ID number with a bad check digit is 400 naming idNumber, and nothing is stored', async () => {
    const res = await create({
      registryNo: 'WZ-BAD-1',
      headName: '王德明',
      idNumber: badCheckDigit(idNumber(9004)),
      members: 3,
      villageCode: r.village,
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation-failed');
    expect(res.body.errors).toEqual([
      {
        field: 'idNumber',
        message: 'idNumber must be an 18-character resident ID number with a valid check digit',
      },
    ]);
    const short = await create({
      registryNo: 'WZ-BAD-1',
      headName: '王德明',
      idNumber: '50010119800101123',
      members: 3,
      villageCode: r.village,
    });
    expect(short.status).toBe(400);
    expect(short.body.errors.map((e: { field: string }) => e.field)).toEqual(['idNumber']);
    const [{ n }] = await t.db.query("SELECT COUNT(*) AS n FROM households WHERE registry_no = 'WZ-BAD-1'");
    expect(Number(n)).toBe(0);
  });

  it('accepts a check character typed as lower-case x, as the same ID number', async () => {
    let id = '';
    for (let n = 9200; !id.endsWith('X'); n++) {
      id = idNumber(n);
    }
    const res = await create({
      registryNo: 'WZ-X-1',
      headName: '周小云',
      idNumber: id.toLowerCase(),
      members: 2,
      villageCode: r.village,
    });
    expect(res.status).toBe(201);
    expect(res.body.idNumber).toBe(`5001**********${id.slice(14)}`);
    expect(res.body.idNumber).toMatch(/X$/);
    const again = await create({
      registryNo: 'WZ-X-2',
      headName: '周小云',
      idNumber: id,
      members: 2,
      villageCode: r.village,
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('household-exists');
  });

  it('an unknown or non-village villageCode is 400 naming villageCode', async () => {
    for (const villageCode of ['500101113999', r.town, r.district]) {
      const res = await create({
        registryNo: 'WZ-BAD-2',
        headName: '王德明',
        idNumber: idNumber(9005),
        members: 3,
        villageCode,
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation-failed');
      expect(res.body.errors).toEqual([
        { field: 'villageCode', message: 'villageCode must name an existing VILLAGE' },
      ]);
    }
    const [{ n }] = await t.db.query("SELECT COUNT(*) AS n FROM households WHERE registry_no = 'WZ-BAD-2'");
    expect(Number(n)).toBe(0);
  });

  it('rejects bad phone, bank account, members and status with per-field errors', async () => {
    const res = await create({
      registryNo: 'WZ-BAD-3',
      headName: '王德明',
      idNumber: idNumber(9006),
      members: 0,
      villageCode: r.village,
      phone: '2391234567',
      bankAccount: '12ab',
      status: 'RICH',
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'bankAccount',
      'members',
      'phone',
      'status',
    ]);
  });

  it('a duplicate registry number or ID number is 409 household-exists', async () => {
    const id = idNumber(9007);
    const first = await create({
      registryNo: 'WZ-DUP-1',
      headName: '陈大山',
      idNumber: id,
      members: 3,
      villageCode: r.village,
    });
    expect(first.status).toBe(201);
    const sameRegistry = await create({
      registryNo: 'WZ-DUP-1',
      headName: '陈小山',
      idNumber: idNumber(9008),
      members: 2,
      villageCode: r.village,
    });
    expect(sameRegistry.status).toBe(409);
    expect(sameRegistry.body.code).toBe('household-exists');
    const sameId = await create({
      registryNo: 'WZ-DUP-2',
      headName: '陈大山',
      idNumber: id,
      members: 3,
      villageCode: r.otherVillage,
    });
    expect(sameId.status).toBe(409);
    expect(sameId.body.code).toBe('household-exists');
    const rows: { registry_no: string }[] = await t.db.query(
      "SELECT registry_no FROM households WHERE registry_no IN ('WZ-DUP-1', 'WZ-DUP-2')",
    );
    expect(rows).toEqual([{ registry_no: 'WZ-DUP-1' }]);
  });

  it('GET /households/:id of an unknown household is 404, and 401 without a token', async () => {
    const res = await get('/households/01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not-found');
    const anon = await t.http().get(`${API}/households/01ARZ3NDEKTSV4RRFFQ69G5FAV`);
    expect(anon.status).toBe(401);
  });

  describe('lists', () => {
    const village = '500101113203';
    const created: { id: string; status: string }[] = [];

    beforeAll(async () => {
      await f.post('/regions', { code: village, name: '列表村', level: 'VILLAGE', parentCode: '500101113' });
      const statuses = ['POOR', 'LIFTED', 'POOR', 'MONITORED', 'LIFTED', 'POOR', 'LIFTED'];
      for (const status of statuses) {
        const h = await f.household({ villageCode: village, status });
        created.push({ id: h.id, status });
      }
    });

    it('filters by villageCode and status, each household with its masked answer', async () => {
      const res = await get(`/households?villageCode=${village}`);
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items.map((h: { id: string }) => h.id)).toEqual(created.map((h) => h.id));
      for (const item of res.body.items) {
        expect(item).toEqual({
          id: expect.stringMatching(ULID),
          registryNo: expect.any(String),
          headName: '王德明',
          idNumber: expect.stringMatching(/^5001\*{10}[0-9X]{4}$/),
          phone: null,
          bankAccount: null,
          members: 4,
          villageCode: village,
          status: created.find((c) => c.id === item.id)!.status,
          statusReason: null,
        });
      }
      const poor = await get(`/households?villageCode=${village}&status=POOR`);
      expect(poor.status).toBe(200);
      expect(poor.body.items.map((h: { id: string }) => h.id)).toEqual(
        created.filter((h) => h.status === 'POOR').map((h) => h.id),
      );
      const monitored = await get(`/households?villageCode=${village}&status=MONITORED`);
      expect(monitored.body.items.map((h: { id: string }) => h.id)).toEqual([created[3].id]);
      const other = await get(`/households?villageCode=${r.otherVillage}&status=POOR`);
      expect(other.body).toEqual({ items: [], nextCursor: null });
    });

    it('walks all pages with limit and cursor: no duplicates, nothing missed', async () => {
      const { items, sizes } = await walk(`villageCode=${village}`);
      expect(sizes).toEqual([3, 3, 1]);
      expect(items.map((h) => h.id)).toEqual(created.map((h) => h.id));
      expect(new Set(items.map((h) => h.id)).size).toBe(7);

      const exact = await walk(`villageCode=${village}`, t.adminToken, 7);
      expect(exact.sizes).toEqual([7]);
      const tight = await walk(`villageCode=${village}`, t.adminToken, 6);
      expect(tight.sizes).toEqual([6, 1]);

      const lifted = await walk(`villageCode=${village}&status=LIFTED`, t.adminToken, 2);
      expect(lifted.sizes).toEqual([2, 1]);
      expect(lifted.items.map((h) => h.id)).toEqual(
        created.filter((h) => h.status === 'LIFTED').map((h) => h.id),
      );

      const all = await walk('', t.adminToken, 4);
      const ids = all.items.map((h) => h.id);
      expect(new Set(ids).size).toBe(ids.length);
      const rows: { id: string }[] = await t.db.query('SELECT id FROM households ORDER BY id');
      expect(ids).toEqual(rows.map((x) => x.id));
    });

    it('answers a bad limit, cursor or status with 400 naming the parameter', async () => {
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['cursor=abc', 'cursor'],
        ['status=RICH', 'status'],
      ]) {
        const res = await get(`/households?${query}`);
        expect(res.status).toBe(400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
      }
    });
  });

  describe('CADRE scope', () => {
    let inTown: { id: string };
    let inSibling: { id: string };
    let inOtherTown: { id: string };
    let townCadre: string;
    let villageCadre: string;

    beforeAll(async () => {
      inTown = await f.household({ villageCode: r.village });
      inSibling = await f.household({ villageCode: sibling, status: 'POOR' });
      inOtherTown = await f.household({ villageCode: r.otherVillage });
      await f.user({
        username: 'cadre-town',
        password: 'cadre-pass-1',
        roles: ['CADRE'],
        regionCode: r.town,
      });
      await f.user({
        username: 'cadre-village',
        password: 'cadre-pass-2',
        roles: ['CADRE'],
        regionCode: sibling,
      });
      townCadre = await t.login('cadre-town', 'cadre-pass-1');
      villageCadre = await t.login('cadre-village', 'cadre-pass-2');
    });

    /** What an ADMIN sees: every household, by village. */
    async function adminIdsIn(villages: string[]) {
      const { items } = await walk('', t.adminToken, 50);
      return items.filter((h) => villages.includes(h.villageCode)).map((h) => h.id);
    }

    it('a town cadre sees households of every village in its town, and 403 forbidden outside', async () => {
      for (const h of [inTown, inSibling]) {
        const res = await get(`/households/${h.id}`, townCadre);
        expect(res.status).toBe(200);
        expect(res.body).toEqual((await get(`/households/${h.id}`)).body);
      }
      const out = await get(`/households/${inOtherTown.id}`, townCadre);
      expect(out.status).toBe(403);
      expect(out.body.code).toBe('forbidden');
      expect(out.body).not.toHaveProperty('registryNo');
    });

    it("a town cadre's list holds exactly its town's households", async () => {
      const expected = await adminIdsIn([r.village, sibling, '500101113203']);
      expect(expected).toEqual(expect.arrayContaining([inTown.id, inSibling.id]));
      const { items } = await walk('', townCadre, 5);
      expect(items.map((h) => h.id)).toEqual(expected);
      expect(items.map((h) => h.id)).not.toContain(inOtherTown.id);

      const filtered = await walk(`villageCode=${sibling}`, townCadre);
      expect(filtered.items.map((h) => h.id)).toEqual(await adminIdsIn([sibling]));
      const outside = await get(`/households?villageCode=${r.otherVillage}`, townCadre);
      expect(outside.status).toBe(200);
      expect(outside.body).toEqual({ items: [], nextCursor: null });
    });

    it('a village cadre sees its village only', async () => {
      const own = await get(`/households/${inSibling.id}`, villageCadre);
      expect(own.status).toBe(200);
      expect(own.body.id).toBe(inSibling.id);
      for (const h of [inTown, inOtherTown]) {
        const res = await get(`/households/${h.id}`, villageCadre);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('forbidden');
      }
      const { items } = await walk('', villageCadre, 2);
      expect(items.map((h) => h.id)).toEqual(await adminIdsIn([sibling]));
      expect(items.every((h) => h.villageCode === sibling)).toBe(true);
      const poor = await get('/households?status=POOR', villageCadre);
      expect(poor.body.items.map((h: { id: string }) => h.id)).toEqual([inSibling.id]);
      const sameTown = await get(`/households?villageCode=${r.village}`, villageCadre);
      expect(sameTown.body).toEqual({ items: [], nextCursor: null });
    });

    it('a cadre cannot create households', async () => {
      const res = await create(
        {
          registryNo: 'WZ-CADRE',
          headName: '王德明',
          idNumber: idNumber(9100),
          members: 2,
          villageCode: sibling,
        },
        villageCadre,
      );
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
      const [{ n }] = await t.db.query("SELECT COUNT(*) AS n FROM households WHERE registry_no = 'WZ-CADRE'");
      expect(Number(n)).toBe(0);
    });

    it('a user of another role gets 403 on household reads', async () => {
      const s = await f.supplier();
      await f.user({
        username: 'supplier-hh',
        password: 'supplier-pass',
        roles: ['SUPPLIER'],
        supplierId: s.id,
      });
      const token = await t.login('supplier-hh', 'supplier-pass');
      expect((await get(`/households/${inTown.id}`, token)).status).toBe(403);
      expect((await get('/households', token)).status).toBe(403);
    });
  });
});
