import { factory } from './support/factory';
import { API, citizens, liveSession, LiveFixture, pay } from './support/live';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

/**
 * A livestream sale end to end: a host schedules a session (its offer's units leave the lot), goes live,
 * a viewer buys through the share link and pays, the figures move, the household behind the lot earns every
 * fen, and ending the session returns what was not sold to the lot.
 */
describe('livestream: sessions, attributed orders, household income', () => {
  let t: TestApp;
  let fx: LiveFixture;
  let buyer: string;

  beforeAll(async () => {
    t = await startTestApp('live', { role: 'all', listen: true });
    fx = await liveSession(t, {
      stock: 100,
      lotQuantity: 1000,
      perBuyerLimit: 3,
      start: false,
      merchantCode: 'WZ-ORANGE-5KG',
    });
    [buyer] = await citizens(t, 1, '139');
  });
  afterAll(async () => {
    await t.close();
  });

  const lotRemaining = async () => {
    const [r] = await t.db.query('SELECT remaining FROM supply_lots WHERE id = ?', [fx.lotId]);
    return Number(r.remaining);
  };
  const stats = async (token = fx.hostToken) =>
    (await t.http().get(`${API}/live/sessions/${fx.sessionId}/stats`).set('Authorization', token)).body;

  it('a scheduled session has carved its units out of the lot, and takes no orders yet', async () => {
    expect(await lotRemaining()).toBe(900);
    const s = await t.http().get(`${API}/live/sessions/${fx.sessionId}`).set('Authorization', fx.hostToken);
    expect(s.status).toBe(200);
    expect(s.body).toMatchObject({
      id: fx.sessionId,
      status: 'SCHEDULED',
      hostId: fx.hostId,
      shareUrl: `${t.env.PUBLIC_BASE_URL}/l/${fx.sessionId}`,
      offers: [
        { id: fx.offerId, productName: '万州玫瑰香橙', livePriceFen: 3990, stock: 100, perBuyerLimit: 3 },
      ],
    });
    const early = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/orders`)
      .set('Authorization', buyer)
      .send({ offerId: fx.offerId, quantity: 1 });
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('session-not-live');
  });

  it('the share link opens the viewer page and the QR poster is a PNG of it', async () => {
    const page = await t.http().get(`/l/${fx.sessionId}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const qr = await t.http().get(`${API}/live/sessions/${fx.sessionId}/qr.png`);
    expect(qr.status).toBe(200);
    expect(qr.headers['content-type']).toBe('image/png');
    expect((qr.body as Buffer).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('goes live; a viewer buys 2, the order carries session, host and offer, and reserves the units', async () => {
    const started = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/start`)
      .set('Authorization', fx.hostToken);
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ status: 'LIVE' });
    const res = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/orders`)
      .set('Authorization', buyer)
      .send({ offerId: fx.offerId, quantity: 2 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'PENDING_PAYMENT', totalFen: 7980 });
    expect(new Date(res.body.payBy).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const order = await t.http().get(`${API}/orders/${res.body.orderId}`).set('Authorization', buyer);
    expect(order.body).toMatchObject({
      channel: 'LIVESTREAM',
      status: 'PENDING_PAYMENT',
      totalFen: 7980,
      lines: [{ productId: fx.productId, lotId: fx.lotId, quantity: 2, unitPriceFen: 3990, amountFen: 7980 }],
      attribution: { liveSessionId: fx.sessionId, hostId: fx.hostId, offerId: fx.offerId },
    });
    expect(await stats()).toMatchObject({
      gmvFen: 0,
      paidOrders: 0,
      pendingOrders: 1,
      units: 0,
      buyers: 0,
      offers: [{ offerId: fx.offerId, sold: 0, reserved: 2, remaining: 98, gmvFen: 0 }],
    });

    await pay(t, buyer, res.body.orderId);
    await until('the figures count the payment', async () => (await stats()).paidOrders === 1);
    expect(await stats()).toMatchObject({
      gmvFen: 7980,
      paidOrders: 1,
      pendingOrders: 0,
      units: 2,
      buyers: 1,
      offers: [{ offerId: fx.offerId, sold: 2, reserved: 0, remaining: 98, gmvFen: 7980, imported: 0 }],
    });
    // Every fen reaches the household behind the lot, on the livestream channel.
    await until('the household credited', async () => {
      const inc = await t
        .http()
        .get(`${API}/households/${fx.householdId}/income`)
        .set('Authorization', t.adminToken);
      return inc.body.byChannel?.LIVESTREAM === 7980;
    });
    const inc = await t
      .http()
      .get(`${API}/households/${fx.householdId}/income`)
      .set('Authorization', t.adminToken);
    expect(inc.body.totalFen).toBe(7980);
    expect(inc.body.byChannel).toEqual({ KIOSK: 0, LIVESTREAM: 7980, PROCUREMENT: 0, FAIR: 0, ONLINE: 0 });
  });

  it('the per-buyer limit counts what the buyer holds: 2 held + 2 more of a limit of 3 is 422', async () => {
    const over = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/orders`)
      .set('Authorization', buyer)
      .send({ offerId: fx.offerId, quantity: 2 });
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('limit-exceeded');
    expect(over.body.detail).toBe('At most 3 per buyer; you already hold 2.');
    const one = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/orders`)
      .set('Authorization', buyer)
      .send({ offerId: fx.offerId, quantity: 1 });
    expect(one.status).toBe(201);
    expect(one.body.totalFen).toBe(3990);
  });

  it('another host can neither read nor run this session; a host lists only its own', async () => {
    const f = factory(t);
    const other = await f.host({ name: '长岭镇第一书记 张华', kind: 'FIRST_SECRETARY' });
    await f.user({ username: 'host-other', password: 'host-pass-123', roles: ['HOST'], hostId: other.id });
    const token = await t.login('host-other', 'host-pass-123');
    for (const [method, path] of [
      ['get', `/live/sessions/${fx.sessionId}`],
      ['get', `/live/sessions/${fx.sessionId}/stats`],
      ['get', `/live/sessions/${fx.sessionId}/stats/stream`],
      ['get', `/live/sessions/${fx.sessionId}/report`],
      ['post', `/live/sessions/${fx.sessionId}/end`],
    ] as const) {
      const r = await t.http()[method](`${API}${path}`).set('Authorization', token);
      expect([path, r.status, r.body.code]).toEqual([path, 403, 'forbidden']);
    }
    const create = await t
      .http()
      .post(`${API}/live/sessions`)
      .set('Authorization', token)
      .send({
        title: '冒名直播',
        hostId: fx.hostId,
        platform: 'OWN',
        scheduledAt: new Date().toISOString(),
        offers: [{ productId: fx.productId, livePriceFen: 100, stock: 1 }],
      });
    expect(create.status).toBe(403);
    const mine = await t.http().get(`${API}/live/sessions`).set('Authorization', token);
    expect(mine.body).toEqual({ items: [], nextCursor: null });
    const theirs = await t.http().get(`${API}/live/sessions`).set('Authorization', fx.hostToken);
    expect(theirs.body.items.map((s: { id: string }) => s.id)).toEqual([fx.sessionId]);
  });

  it('only certified products can be offered; a lot too small is 409 and takes nothing', async () => {
    const f = factory(t);
    const supplier = await f.supplier();
    const lapsed = await f.product(supplier.id, { name: '过期认证花椒', certifiedUntil: '2020-01-01' });
    await f.lot(lapsed.id, { quantity: 10 });
    const body = (productId: string, stock: number) => ({
      title: '测试',
      hostId: fx.hostId,
      platform: 'OWN',
      scheduledAt: new Date().toISOString(),
      offers: [{ productId, livePriceFen: 100, stock }],
    });
    const refused = await t
      .http()
      .post(`${API}/live/sessions`)
      .set('Authorization', fx.hostToken)
      .send(body(lapsed.id, 1));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('product-not-certified');
    const before = await lotRemaining();
    const short = await t
      .http()
      .post(`${API}/live/sessions`)
      .set('Authorization', fx.hostToken)
      .send(body(fx.productId, before + 1));
    expect(short.status).toBe(409);
    expect(short.body.code).toBe('out-of-stock');
    expect(await lotRemaining()).toBe(before);
  });

  it('ending returns the units neither sold nor reserved to the lot; the report and its CSV', async () => {
    const ended = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/end`)
      .set('Authorization', fx.hostToken);
    expect(ended.body).toEqual({ status: 'ENDED' });
    // 100 carved: 2 sold, 1 reserved (unpaid) stay with their orders; 97 go back.
    expect(await lotRemaining()).toBe(900 + 97);
    const again = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/end`)
      .set('Authorization', fx.hostToken);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('invalid-session-transition');
    const late = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/orders`)
      .set('Authorization', buyer)
      .send({ offerId: fx.offerId, quantity: 1 });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('session-not-live');
    const report = await t
      .http()
      .get(`${API}/live/sessions/${fx.sessionId}/report`)
      .set('Authorization', fx.hostToken);
    expect(report.body).toMatchObject({
      sessionId: fx.sessionId,
      status: 'ENDED',
      gmvFen: 7980,
      paidOrders: 1,
      units: 2,
      buyers: 1,
      householdsBenefited: 1,
      topProducts: [{ productId: fx.productId, name: '万州玫瑰香橙', units: 2, gmvFen: 7980 }],
    });
    const csv = await t
      .http()
      .get(`${API}/live/sessions/${fx.sessionId}/report.csv`)
      .set('Authorization', fx.hostToken);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines).toContain('成交额(元),79.80');
    expect(lines).toContain('带动农户数,1');
    expect(lines).toContain(`1,${fx.productId},万州玫瑰香橙,2,79.80,7980`);
  });

  it('a host registered with an existing user makes that user its HOST', async () => {
    const f = factory(t);
    const user = await f.user({
      username: 'li-shuji',
      password: 'host-pass-123',
      roles: ['CADRE'],
      regionCode: '500101113',
    });
    const host = await f.post<{ id: string; userId: string }>('/live/hosts', {
      name: '分水镇党委书记 李明',
      kind: 'PARTY_SECRETARY',
      regionCode: '500101113',
      userId: user.id,
    });
    expect(host.userId).toBe(user.id);
    const token = await t.login('li-shuji', 'host-pass-123');
    const mine = await t.http().get(`${API}/live/sessions`).set('Authorization', token);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ items: [], nextCursor: null });
    const again = await t
      .http()
      .post(`${API}/live/hosts`)
      .set('Authorization', t.adminToken)
      .send({ name: '另一个主播', kind: 'CADRE', userId: user.id });
    expect(again.status).toBe(400);
    expect(again.body.errors).toEqual([
      { field: 'userId', message: 'userId is already the user of another host' },
    ]);
    const ghost = await t
      .http()
      .post(`${API}/live/hosts`)
      .set('Authorization', t.adminToken)
      .send({ name: '无此用户', kind: 'CADRE', userId: '01ZZZZZZZZZZZZZZZZZZZZZZZZ' });
    expect(ghost.status).toBe(400);
    expect(ghost.body.errors).toEqual([{ field: 'userId', message: 'userId must name an existing user' }]);
  });

  it("a host's totals and the leaderboard count paid sales and households", async () => {
    const totals = await t
      .http()
      .get(`${API}/live/hosts/${fx.hostId}/totals`)
      .set('Authorization', fx.hostToken);
    expect(totals.body).toMatchObject({
      hostId: fx.hostId,
      sessions: 1,
      gmvFen: 7980,
      paidOrders: 1,
      units: 2,
      buyers: 1,
      householdsBenefited: 1,
    });
    const board = await t
      .http()
      .get(`${API}/live/leaderboard?by=households`)
      .set('Authorization', t.adminToken);
    expect(board.body.by).toBe('households');
    expect(board.body.items[0]).toMatchObject({ hostId: fx.hostId, gmvFen: 7980, householdsBenefited: 1 });
  });
});
