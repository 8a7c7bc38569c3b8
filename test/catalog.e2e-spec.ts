import { CatalogJobName } from '@/modules/catalog/jobs/catalog.job-definitions';
import { QueueService } from '@/infrastructure/queue/queue.service';
import { businessDay, fields } from './support/answers';
import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';
const ULID = /^[0-9A-Z]{26}$/;
const UNKNOWN_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('catalog', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;
  let r: Awaited<ReturnType<ReturnType<typeof factory>['regions']>>;
  let coop: { id: string };
  let other: { id: string };
  let supplierToken: string;

  beforeAll(async () => {
    t = await startTestApp('catalog');
    f = factory(t);
    r = await f.regions();
    coop = await f.supplier({ name: '川星花椒专业合作社' });
    other = await f.supplier({ name: '长岭茶叶合作社', villageCode: '500101118201' });
    await f.user({
      username: 'sup-chuanxing',
      password: 'supplier-pass',
      roles: ['SUPPLIER'],
      supplierId: coop.id,
    });
    supplierToken = await t.login('sup-chuanxing', 'supplier-pass');
  });
  afterAll(() => t.close());

  const postProduct = (body: object, token: string | null = t.adminToken) => {
    const req = t.http().post(`${API}/products`);
    return token ? req.set('Authorization', token).send(body) : req.send(body);
  };
  const postLot = (productId: string, body: object, token = t.adminToken) =>
    t.http().post(`${API}/products/${productId}/lots`).set('Authorization', token).send(body);
  const productBody = (over: Record<string, unknown> = {}) => ({
    name: '川星花椒',
    category: '花椒',
    unit: '袋',
    priceFen: 6800,
    supplierId: coop.id,
    originVillageCode: r.village,
    certificateNo: 'CQ-WZ-2020-0001',
    certifiedUntil: '2099-12-31',
    ...over,
  });
  const countProducts = async (name: string) => {
    const [{ n }] = await t.db.query('SELECT COUNT(*) AS n FROM products WHERE name = ?', [name]);
    return Number(n);
  };

  describe('products', () => {
    it('an ADMIN creates a certified product: 201 with every field', async () => {
      const res = await postProduct(productBody({ name: '川星花椒 500g' }));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        name: '川星花椒 500g',
        category: '花椒',
        unit: '袋',
        priceFen: 6800,
        supplierId: coop.id,
        originVillageCode: r.village,
        certificateNo: 'CQ-WZ-2020-0001',
        certifiedUntil: '2099-12-31',
        status: 'CERTIFIED',
        stock: 0,
      });
      const got = await t.http().get(`${API}/products/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
      const rows = await t.db.query('SELECT status, price_fen FROM products WHERE id = ?', [res.body.id]);
      expect(rows).toEqual([{ status: 'CERTIFIED', price_fen: '6800' }]);
    });

    it('a SUPPLIER creates a product of its own supplier (201 CERTIFIED), 403 for another', async () => {
      const own = await postProduct(productBody({ name: '供应商自建花椒', priceFen: 12345 }), supplierToken);
      expect(own.status).toBe(201);
      expect(own.body).toMatchObject({
        name: '供应商自建花椒',
        supplierId: coop.id,
        priceFen: 12345,
        status: 'CERTIFIED',
        stock: 0,
      });
      const foreign = await postProduct(
        productBody({ name: '越权绿茶', supplierId: other.id, originVillageCode: r.otherVillage }),
        supplierToken,
      );
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('forbidden');
      expect(await countProducts('越权绿茶')).toBe(0);
      const anon = await postProduct(productBody({ name: '匿名花椒' }), null);
      expect(anon.status).toBe(401);
      expect(await countProducts('匿名花椒')).toBe(0);
    });

    it('a certificate that lapsed yesterday is UNCERTIFIED; one valid through today is CERTIFIED', async () => {
      const lapsed = await postProduct(productBody({ name: '过期花椒', certifiedUntil: businessDay(-1) }));
      expect(lapsed.status).toBe(201);
      expect(lapsed.body.status).toBe('UNCERTIFIED');
      expect(lapsed.body.certifiedUntil).toBe(businessDay(-1));
      expect((await t.http().get(`${API}/products/${lapsed.body.id}`)).body.status).toBe('UNCERTIFIED');
      const [row] = await t.db.query('SELECT status FROM products WHERE id = ?', [lapsed.body.id]);
      expect(row.status).toBe('UNCERTIFIED');

      const lastDay = await postProduct(
        productBody({ name: '今日到期花椒', certifiedUntil: businessDay(0) }),
      );
      expect(lastDay.status).toBe(201);
      expect(lastDay.body.status).toBe('CERTIFIED');

      const open = await postProduct(productBody({ name: '长期花椒', certifiedUntil: undefined }));
      expect(open.status).toBe(201);
      expect(open.body).toMatchObject({
        certificateNo: 'CQ-WZ-2020-0001',
        certifiedUntil: null,
        status: 'CERTIFIED',
      });
    });

    it('a product without certificateNo is UNCERTIFIED', async () => {
      const res = await postProduct(
        productBody({ name: '无证花椒', certificateNo: undefined, certifiedUntil: undefined }),
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ certificateNo: null, certifiedUntil: null, status: 'UNCERTIFIED' });
      const untilOnly = await postProduct(productBody({ name: '无证有期', certificateNo: undefined }));
      expect(untilOnly.status).toBe(400);
      expect(untilOnly.body.errors).toEqual([
        { field: 'certificateNo', message: 'certifiedUntil needs a certificateNo' },
      ]);
      expect(await countProducts('无证有期')).toBe(0);
    });

    it('validates supplier, origin village, price and dates', async () => {
      const supplier = await postProduct(productBody({ name: '坏', supplierId: UNKNOWN_ID }));
      expect(supplier.status).toBe(400);
      expect(fields(supplier.body)).toEqual(['supplierId']);
      for (const originVillageCode of [r.town, '500101113999']) {
        const res = await postProduct(productBody({ name: '坏', originVillageCode }));
        expect(res.status).toBe(400);
        expect(res.body.errors).toEqual([
          { field: 'originVillageCode', message: 'originVillageCode must name an existing VILLAGE' },
        ]);
      }
      const shape = await postProduct(productBody({ name: '坏', priceFen: 0, certifiedUntil: '2099-13-01' }));
      expect(shape.status).toBe(400);
      expect(fields(shape.body)).toEqual(['certifiedUntil', 'priceFen']);
      const datetime = await postProduct(productBody({ name: '坏', certifiedUntil: '2099-12-31T10:00:00Z' }));
      expect(datetime.status).toBe(400);
      expect(datetime.body.errors).toEqual([
        { field: 'certifiedUntil', message: 'certifiedUntil must be a date (YYYY-MM-DD)' },
      ]);
      const fraction = await postProduct(productBody({ name: '坏', priceFen: 68.5 }));
      expect(fraction.status).toBe(400);
      expect(fields(fraction.body)).toEqual(['priceFen']);
      expect(await countProducts('坏')).toBe(0);
    });

    it('?status= agrees with the status each product answers', async () => {
      const all: { id: string; status: string }[] = (await t.http().get(`${API}/products?limit=200`)).body
        .items;
      const ids = (s: string) => all.filter((p) => p.status === s).map((p) => p.id);
      expect(ids('UNCERTIFIED').length).toBeGreaterThanOrEqual(2);
      expect(ids('CERTIFIED').length).toBeGreaterThanOrEqual(4);
      for (const status of ['CERTIFIED', 'UNCERTIFIED']) {
        const res = await t.http().get(`${API}/products?status=${status}&limit=200`);
        expect(res.status).toBe(200);
        expect(res.body.items.map((p: { id: string }) => p.id)).toEqual(ids(status));
      }
    });

    it('GET /products/:id of an unknown product is 404 product-not-found', async () => {
      const res = await t.http().get(`${API}/products/${UNKNOWN_ID}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('product-not-found');
    });
  });

  describe('GET /products filters and pages', () => {
    const made: Record<string, string> = {};

    beforeAll(async () => {
      const items: [string, string][] = [
        ['三峡绿茶明前特级', '茶叶'],
        ['凤凰茶', '茶叶'],
        ['万州玫瑰香橙', '柑橘'],
        ['中华土蜂蜜', '蜂蜜'],
        ['百花蜂蜜', '蜂蜜'],
        ['三峡红茶', '茶叶'],
      ];
      for (const [name, category] of items) {
        made[name] = (await f.product(coop.id, { name, category })).id;
      }
    });

    const list = async (query: string) => {
      const res = await t.http().get(`${API}/products?${query}`);
      expect(res.status).toBe(200);
      return res.body as { items: { id: string; name: string }[]; nextCursor: string | null };
    };
    const names = async (query: string) => (await list(query)).items.map((p) => p.name);

    it('filters by category', async () => {
      expect(await names(`category=${encodeURIComponent('茶叶')}`)).toEqual([
        '三峡绿茶明前特级',
        '凤凰茶',
        '三峡红茶',
      ]);
      expect(await names(`category=${encodeURIComponent('蜂蜜')}`)).toEqual(['中华土蜂蜜', '百花蜂蜜']);
      expect(await names(`category=${encodeURIComponent('猕猴桃')}`)).toEqual([]);
    });

    it('q matches part of the Chinese name, alone or with a category', async () => {
      expect(await names(`q=${encodeURIComponent('蜂蜜')}`)).toEqual(['中华土蜂蜜', '百花蜂蜜']);
      expect(await names(`q=${encodeURIComponent('绿')}`)).toEqual(['三峡绿茶明前特级']);
      expect(await names(`q=${encodeURIComponent('三峡')}`)).toEqual(['三峡绿茶明前特级', '三峡红茶']);
      expect(await names(`q=${encodeURIComponent('香橙')}&category=${encodeURIComponent('柑橘')}`)).toEqual([
        '万州玫瑰香橙',
      ]);
      expect(await names(`q=${encodeURIComponent('香橙')}&category=${encodeURIComponent('茶叶')}`)).toEqual(
        [],
      );
      expect(await names(`q=${encodeURIComponent('%')}`)).toEqual([]);
      expect(await names(`q=${encodeURIComponent('_')}`)).toEqual([]);
    });

    it('answers each item as GET /products/:id does', async () => {
      const { items } = await list(`category=${encodeURIComponent('柑橘')}`);
      expect(items).toHaveLength(1);
      const one = await t.http().get(`${API}/products/${made['万州玫瑰香橙']}`);
      expect(items[0]).toEqual(one.body);
      expect(one.body).toMatchObject({
        category: '柑橘',
        unit: '袋',
        priceFen: 6800,
        status: 'CERTIFIED',
        stock: 0,
      });
    });

    it('pages with limit and cursor, no duplicates, nothing missed', async () => {
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(
          `category=${encodeURIComponent('茶叶')}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.items.map((p) => p.id));
        sizes.push(page.items.length);
        cursor = page.nextCursor;
        if (cursor) {
          expect(cursor).toMatch(ULID);
        }
      } while (cursor && sizes.length < 10);
      expect(sizes).toEqual([2, 1]);
      expect(seen).toEqual([made['三峡绿茶明前特级'], made['凤凰茶'], made['三峡红茶']]);

      const all: string[] = [];
      cursor = null;
      for (let i = 0; i < 50; i++) {
        const page = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        all.push(...page.items.map((p) => p.id));
        cursor = page.nextCursor;
        if (!cursor) {
          break;
        }
      }
      expect(cursor).toBeNull();
      const rows: { id: string }[] = await t.db.query('SELECT id FROM products ORDER BY id');
      expect(all).toEqual(rows.map((x) => x.id));
    });
  });

  describe('lots and trace', () => {
    let wang: { id: string };
    let li: { id: string };
    let ouyang: { id: string };
    let product: { id: string };

    beforeAll(async () => {
      wang = await f.household({ headName: '王德明' });
      li = await f.household({ headName: '李秀英', villageCode: r.otherVillage });
      ouyang = await f.household({ headName: '欧阳娜娜' });
      product = await f.product(coop.id, { name: '川星青花椒', category: '花椒', priceFen: 8800 });
    });

    it('POST /products/:id/lots with sources adding up: 201, stock equals quantity', async () => {
      const res = await postLot(product.id, {
        quantity: 100,
        producedAt: '2024-09-01',
        expiresAt: '2099-09-01',
        sources: [
          { householdId: ouyang.id, quantity: 30 },
          { householdId: wang.id, quantity: 50 },
          { householdId: li.id, quantity: 20 },
        ],
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        productId: product.id,
        quantity: 100,
        stock: 100,
        producedAt: '2024-09-01',
        expiresAt: '2099-09-01',
        sources: [
          { householdId: ouyang.id, quantity: 30 },
          { householdId: wang.id, quantity: 50 },
          { householdId: li.id, quantity: 20 },
        ],
      });
      expect((await t.http().get(`${API}/products/${product.id}`)).body.stock).toBe(100);
    });

    it("GET /products/:id stock is the sum of the product's lots", async () => {
      const second = await postLot(product.id, {
        quantity: 45,
        sources: [{ householdId: wang.id, quantity: 45 }],
      });
      expect(second.status).toBe(201);
      expect(second.body).toEqual({
        id: expect.stringMatching(ULID),
        productId: product.id,
        quantity: 45,
        stock: 45,
        producedAt: null,
        expiresAt: null,
        sources: [{ householdId: wang.id, quantity: 45 }],
      });
      const got = await t.http().get(`${API}/products/${product.id}`);
      expect(got.body.stock).toBe(145);
      const listed = await t.http().get(`${API}/products?q=${encodeURIComponent('川星青花椒')}`);
      expect(listed.body.items.map((p: { stock: number }) => p.stock)).toEqual([145]);
      // Stock follows the lots' remaining units.
      await t.db.query('UPDATE supply_lots SET remaining = 7 WHERE id = ?', [second.body.id]);
      expect((await t.http().get(`${API}/products/${product.id}`)).body.stock).toBe(107);
      await t.db.query('UPDATE supply_lots SET remaining = 45 WHERE id = ?', [second.body.id]);
    });

    it('GET /products/:id/lots lists the lots with their sources in listed order', async () => {
      const res = await t.http().get(`${API}/products/${product.id}/lots`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        {
          id: expect.stringMatching(ULID),
          productId: product.id,
          quantity: 100,
          stock: 100,
          producedAt: '2024-09-01',
          expiresAt: '2099-09-01',
          sources: [
            { householdId: ouyang.id, quantity: 30 },
            { householdId: wang.id, quantity: 50 },
            { householdId: li.id, quantity: 20 },
          ],
        },
        {
          id: expect.stringMatching(ULID),
          productId: product.id,
          quantity: 45,
          stock: 45,
          producedAt: null,
          expiresAt: null,
          sources: [{ householdId: wang.id, quantity: 45 }],
        },
      ]);
      expect((await t.http().get(`${API}/products/${UNKNOWN_ID}/lots`)).status).toBe(404);
    });

    it('sources not adding up are 400 sources-mismatch, and no lot is stored', async () => {
      const lotsBefore = await t.db.query('SELECT COUNT(*) AS n FROM supply_lots');
      for (const sources of [
        [
          { householdId: wang.id, quantity: 50 },
          { householdId: li.id, quantity: 49 },
        ],
        [{ householdId: wang.id, quantity: 101 }],
      ]) {
        const res = await postLot(product.id, { quantity: 100, sources });
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('sources-mismatch');
      }
      expect(await t.db.query('SELECT COUNT(*) AS n FROM supply_lots')).toEqual(lotsBefore);
      expect((await t.http().get(`${API}/products/${product.id}`)).body.stock).toBe(145);
    });

    it('a duplicate or unknown household in sources is 400 naming the source', async () => {
      const dup = await postLot(product.id, {
        quantity: 10,
        sources: [
          { householdId: wang.id, quantity: 4 },
          { householdId: li.id, quantity: 3 },
          { householdId: wang.id, quantity: 3 },
        ],
      });
      expect(dup.status).toBe(400);
      expect(dup.body.code).toBe('validation-failed');
      expect(dup.body.errors).toEqual([
        { field: 'sources[2].householdId', message: 'a household may appear once per lot' },
      ]);
      const unknown = await postLot(product.id, {
        quantity: 10,
        sources: [
          { householdId: wang.id, quantity: 5 },
          { householdId: UNKNOWN_ID, quantity: 5 },
        ],
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors).toEqual([
        { field: 'sources[1].householdId', message: 'householdId must name an existing household' },
      ]);
      const zero = await postLot(product.id, {
        quantity: 10,
        sources: [
          { householdId: wang.id, quantity: 10 },
          { householdId: li.id, quantity: 0 },
        ],
      });
      expect(zero.status).toBe(400);
      expect(fields(zero.body)).toEqual(['sources[1].quantity']);
      expect((await t.http().get(`${API}/products/${product.id}/lots`)).body).toHaveLength(2);
    });

    it('expiresAt before producedAt is 400 naming expiresAt', async () => {
      const res = await postLot(product.id, {
        quantity: 10,
        producedAt: '2024-09-02',
        expiresAt: '2024-09-01',
        sources: [{ householdId: wang.id, quantity: 10 }],
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        { field: 'expiresAt', message: 'expiresAt must not be before producedAt' },
      ]);
      const datetime = await postLot(product.id, {
        quantity: 10,
        producedAt: '2024-09-01T10:00:00Z',
        expiresAt: '2024-09-30T00:00:00+08:00',
        sources: [{ householdId: wang.id, quantity: 10 }],
      });
      expect(datetime.status).toBe(400);
      expect(fields(datetime.body)).toEqual(['expiresAt', 'producedAt']);
      const same = await postLot(product.id, {
        quantity: 10,
        producedAt: '2024-09-01',
        expiresAt: '2024-09-01',
        sources: [{ householdId: wang.id, quantity: 10 }],
      });
      expect(same.status).toBe(201);
      // That lot expired long ago: it is stored, but its units are not on sale.
      expect((await t.http().get(`${API}/products/${product.id}`)).body.stock).toBe(145);
    });

    it("a HOUSEHOLD supplier's lot without sources has that household as its single source", async () => {
      const own = await f.supplier({ name: '王德明土鸡蛋', type: 'HOUSEHOLD', householdId: wang.id });
      const eggs = await f.product(own.id, {
        name: '王家土鸡蛋',
        category: '禽蛋',
        unit: '盒',
        priceFen: 3600,
      });
      const res = await postLot(eggs.id, { quantity: 24 });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(ULID),
        productId: eggs.id,
        quantity: 24,
        stock: 24,
        producedAt: null,
        expiresAt: null,
        sources: [{ householdId: wang.id, quantity: 24 }],
      });
      const rows = await t.db.query(
        'SELECT household_id, quantity, position FROM lot_sources WHERE lot_id = ?',
        [res.body.id],
      );
      expect(rows).toEqual([{ household_id: wang.id, quantity: 24, position: 0 }]);
      const trace = await t.http().get(`${API}/trace/lots/${res.body.id}`);
      expect(trace.body.households).toEqual([
        { headName: '王**', villageCode: r.village, villageName: '川星村', quantity: 24 },
      ]);
    });

    it('a SUPPLIER adds lots to its own products only', async () => {
      const own = await postLot(
        product.id,
        { quantity: 5, sources: [{ householdId: li.id, quantity: 5 }] },
        supplierToken,
      );
      expect(own.status).toBe(201);
      expect(own.body.quantity).toBe(5);
      const theirs = await f.product(other.id, { name: '长岭绿茶', originVillageCode: r.otherVillage });
      const res = await postLot(
        theirs.id,
        { quantity: 5, sources: [{ householdId: li.id, quantity: 5 }] },
        supplierToken,
      );
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('forbidden');
      expect((await t.http().get(`${API}/products/${theirs.id}/lots`)).body).toEqual([]);
      expect((await t.http().get(`${API}/products/${theirs.id}`)).body.stock).toBe(0);
      const unknown = await postLot(UNKNOWN_ID, { quantity: 5 });
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('product-not-found');
    });

    it('GET /trace/lots/:id (no token) tells the story of a lot with names masked', async () => {
      const lots = (await t.http().get(`${API}/products/${product.id}/lots`)).body;
      const lot = lots[0];
      const res = await t.http().get(`${API}/trace/lots/${lot.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        lot: { id: lot.id, quantity: 100, stock: 100, producedAt: '2024-09-01', expiresAt: '2099-09-01' },
        product: {
          id: product.id,
          name: '川星青花椒',
          category: '花椒',
          unit: '袋',
          priceFen: 8800,
          certificateNo: expect.stringMatching(/^CERT-\d+$/),
          certifiedUntil: '2099-12-31',
          status: 'CERTIFIED',
        },
        originVillage: {
          code: r.village,
          name: '川星村',
          poorVillage: true,
          town: { code: r.town, name: '分水镇' },
        },
        supplier: { id: coop.id, name: '川星花椒专业合作社', type: 'COOPERATIVE' },
        households: [
          { headName: '欧***', villageCode: r.village, villageName: '川星村', quantity: 30 },
          { headName: '王**', villageCode: r.village, villageName: '川星村', quantity: 50 },
          { headName: '李**', villageCode: r.otherVillage, villageName: '安溪村', quantity: 20 },
        ],
        householdIncomeFen: 0,
      });
      expect(res.text).not.toContain('王德明');
      expect(res.text).not.toContain('李秀英');
      expect(res.text).not.toContain('欧阳娜娜');
      for (const h of [wang, li, ouyang]) {
        expect(res.text).not.toContain(h.id);
      }
    });

    it('GET /trace/lots/:id of an unknown lot is 404 lot-not-found', async () => {
      const res = await t.http().get(`${API}/trace/lots/${UNKNOWN_ID}`);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('lot-not-found');
    });
  });
});

describe('certification sweep job', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;

  beforeAll(async () => {
    t = await startTestApp('certsweep', { role: 'all' });
    f = factory(t);
    await f.regions();
  });
  afterAll(() => t.close());

  const statusOf = async (id: string): Promise<string> => {
    const [row] = await t.db.query('SELECT status FROM products WHERE id = ?', [id]);
    return row.status as string;
  };

  it('turns a product whose certificate lapsed yesterday UNCERTIFIED, and a renewed one CERTIFIED', async () => {
    const s = await f.supplier();
    const lapsed = await f.product(s.id, { name: '昨日过期花椒' });
    const renewed = await f.product(s.id, { name: '已续证花椒' });
    const valid = await f.product(s.id, { name: '有效花椒' });
    const bare = await f.product(s.id, {
      name: '无证花椒',
      certificateNo: undefined,
      certifiedUntil: undefined,
    });
    const yesterday = businessDay(-1);
    await t.db.query('UPDATE products SET certified_until = ? WHERE id = ?', [yesterday, lapsed.id]);
    await t.db.query("UPDATE products SET status = 'UNCERTIFIED' WHERE id = ?", [renewed.id]);
    expect(await statusOf(lapsed.id)).toBe('CERTIFIED');
    expect(await statusOf(renewed.id)).toBe('UNCERTIFIED');
    // Reads derive the status already; the stored column waits for the sweep.
    expect((await t.http().get(`${API}/products/${lapsed.id}`)).body.status).toBe('UNCERTIFIED');

    await t.app.get(QueueService).add(CatalogJobName.CertificationSweep, {});

    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await statusOf(lapsed.id)) !== 'UNCERTIFIED') {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await statusOf(lapsed.id)).toBe('UNCERTIFIED');
    expect(await statusOf(renewed.id)).toBe('CERTIFIED');
    expect(await statusOf(valid.id)).toBe('CERTIFIED');
    expect(await statusOf(bare.id)).toBe('UNCERTIFIED');
    const [row] = await t.db.query('SELECT certified_until FROM products WHERE id = ?', [lapsed.id]);
    expect(row.certified_until).toBe(yesterday);
    expect((await t.http().get(`${API}/products/${lapsed.id}`)).body).toMatchObject({
      certifiedUntil: yesterday,
      status: 'UNCERTIFIED',
    });
  });
});
