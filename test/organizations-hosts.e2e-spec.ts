import { factory } from './support/factory';
import { startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';

describe('organizations, livestream hosts and the supplier list', () => {
  let t: TestApp;
  let f: ReturnType<typeof factory>;

  beforeAll(async () => {
    t = await startTestApp('orgs');
    f = factory(t);
    await f.regions();
  });
  afterAll(() => t.close());

  const admin = (req: ReturnType<ReturnType<TestApp['http']>['get']>) =>
    req.set('Authorization', t.adminToken);

  describe('organizations', () => {
    it('creates a budget unit and a district assistance group under it', async () => {
      const unit = await admin(t.http().post(`${API}/organizations`)).send({
        name: '万州区财政局',
        type: 'BUDGET_UNIT',
      });
      expect(unit.status).toBe(201);
      expect(unit.body).toEqual({
        id: expect.stringMatching(/^[0-9A-Z]{26}$/),
        name: '万州区财政局',
        type: 'BUDGET_UNIT',
        parentId: null,
        hasCanteen: false,
        department: null,
        villageCodes: [],
      });
      const group = await admin(t.http().post(`${API}/organizations`)).send({
        name: '第一扶贫集团',
        type: 'DISTRICT_GROUP',
        parentId: unit.body.id,
      });
      expect(group.status).toBe(201);
      expect(group.body.parentId).toBe(unit.body.id);
    });

    it('refuses an unknown type or parent', async () => {
      const badType = await admin(t.http().post(`${API}/organizations`)).send({ name: 'x', type: 'CHARITY' });
      expect(badType.status).toBe(400);
      expect(badType.body.errors.map((e: { field: string }) => e.field)).toEqual(['type']);
      const badParent = await admin(t.http().post(`${API}/organizations`)).send({
        name: 'x',
        type: 'UNION',
        parentId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ',
      });
      expect(badParent.status).toBe(400);
      expect(badParent.body.errors).toEqual([
        { field: 'parentId', message: 'parentId must name an existing organization' },
      ]);
    });

    it('lists by type, a page at a time', async () => {
      for (let i = 0; i < 3; i++) {
        await f.organization({ name: `工会${i}`, type: 'UNION' });
      }
      const first = await admin(t.http().get(`${API}/organizations?type=UNION&limit=2`));
      expect(first.status).toBe(200);
      expect(first.body.items.map((o: { name: string }) => o.name)).toEqual(['工会0', '工会1']);
      const second = await admin(
        t.http().get(`${API}/organizations?type=UNION&limit=2&cursor=${first.body.nextCursor}`),
      );
      expect(second.body).toEqual({
        items: [expect.objectContaining({ name: '工会2', type: 'UNION' })],
        nextCursor: null,
      });
    });

    it('shows an organization to the administrator and to its own buyers, not to another one’s', async () => {
      const mine = await f.organization({ name: '区人民医院', type: 'PUBLIC_INSTITUTION' });
      const other = await f.organization({ name: '三峡水务', type: 'STATE_ENTERPRISE' });
      await f.user({
        username: 'hospital-buyer',
        password: 'buyer-password-1',
        roles: ['UNIT_BUYER'],
        organizationId: mine.id,
      });
      const buyer = await t.login('hospital-buyer', 'buyer-password-1');
      const own = await t.http().get(`${API}/organizations/${mine.id}`).set('Authorization', buyer);
      expect(own.status).toBe(200);
      expect(own.body).toEqual({
        id: mine.id,
        name: '区人民医院',
        type: 'PUBLIC_INSTITUTION',
        parentId: null,
        hasCanteen: false,
        department: null,
        villageCodes: [],
      });
      const theirs = await t.http().get(`${API}/organizations/${other.id}`).set('Authorization', buyer);
      expect(theirs.status).toBe(403);
      expect(theirs.body.code).toBe('forbidden');
      expect((await admin(t.http().get(`${API}/organizations/${other.id}`))).status).toBe(200);
      expect((await admin(t.http().get(`${API}/organizations/01ZZZZZZZZZZZZZZZZZZZZZZZZ`))).status).toBe(404);
    });
  });

  describe('livestream hosts', () => {
    it('creates a party secretary host bound to a town and lists hosts', async () => {
      const res = await admin(t.http().post(`${API}/live/hosts`)).send({
        name: '分水镇党委书记',
        kind: 'PARTY_SECRETARY',
        regionCode: '500101113',
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9A-Z]{26}$/),
        name: '分水镇党委书记',
        kind: 'PARTY_SECRETARY',
        regionCode: '500101113',
        userId: null,
      });
      const list = await admin(t.http().get(`${API}/live/hosts`));
      expect(list.status).toBe(200);
      expect(list.body.items).toContainEqual(res.body);
    });

    it('refuses an unknown kind or region', async () => {
      const kind = await admin(t.http().post(`${API}/live/hosts`)).send({ name: '主播', kind: 'STAR' });
      expect(kind.status).toBe(400);
      expect(kind.body.errors.map((e: { field: string }) => e.field)).toEqual(['kind']);
      const region = await admin(t.http().post(`${API}/live/hosts`)).send({
        name: '主播',
        kind: 'MEDIA',
        regionCode: '999',
      });
      expect(region.status).toBe(400);
      expect(region.body.errors).toEqual([
        { field: 'regionCode', message: 'regionCode must name an existing region' },
      ]);
    });
  });

  describe('supplier list', () => {
    it('filters by type and village', async () => {
      const coop = await f.supplier({
        name: '川星花椒专业合作社',
        type: 'COOPERATIVE',
        villageCode: '500101113201',
      });
      const farm = await f.supplier({
        name: '安溪生态养殖场',
        type: 'ENTERPRISE',
        villageCode: '500101118201',
      });
      const coops = await admin(t.http().get(`${API}/suppliers?type=COOPERATIVE`));
      expect(coops.status).toBe(200);
      expect(coops.body.items.map((s: { id: string }) => s.id)).toContain(coop.id);
      expect(coops.body.items.map((s: { id: string }) => s.id)).not.toContain(farm.id);
      const anxi = await admin(t.http().get(`${API}/suppliers?villageCode=500101118201`));
      expect(anxi.body).toEqual({
        items: [
          {
            id: farm.id,
            name: '安溪生态养殖场',
            type: 'ENTERPRISE',
            villageCode: '500101118201',
            householdId: null,
          },
        ],
        nextCursor: null,
      });
    });
  });
});
