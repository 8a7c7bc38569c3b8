import { factory } from './support/factory';
import { API, liveSession, LiveFixture } from './support/live';
import { douyinCsv, ExportRow, kuaishouGbkCsv, wechatXlsx } from './support/platform-files';
import { startTestApp, TestApp } from './support/test-app';
import { until } from './support/wait';

/**
 * Sales made on the platforms count for the households too: a host uploads the shop's order export as
 * downloaded (Douyin CSV with BOM and tab-prefixed 19-digit ids, Kuaishou GBK with ￥ amounts (¥ has no GBK code), WeChat Channels
 * XLSX) or JSON rows; each sub-order counts once, a later refund reverses it, bad rows are refused with why.
 */
describe('livestream: platform order imports', () => {
  let t: TestApp;
  let fx: LiveFixture;

  beforeAll(async () => {
    t = await startTestApp('liveimport', { role: 'all' });
    fx = await liveSession(t, { stock: 100, merchantCode: 'WZ-ORANGE-5KG' });
    // The host maps the offer to Douyin's product id too, for rows that carry no merchant code.
    const mapped = await t
      .http()
      .patch(`${API}/live/sessions/${fx.sessionId}/offers/${fx.offerId}`)
      .set('Authorization', fx.hostToken)
      .send({ platformProductId: '3701234567890' });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({ merchantCode: 'WZ-ORANGE-5KG', platformProductId: '3701234567890' });
  });
  afterAll(async () => {
    await t.close();
  });

  const rows: ExportRow[] = [
    {
      orderId: '6912345678901234567',
      subOrderId: '6912345678901234568',
      merchantCode: 'WZ-ORANGE-5KG',
      quantity: 1,
      amount: '39.90',
      paidAt: '2026-12-01 20:15:03',
    },
    {
      orderId: '6912345678901234570',
      subOrderId: '6912345678901234571',
      merchantCode: 'WZ-ORANGE-5KG',
      quantity: 2,
      amount: '79.80',
      paidAt: '2026-12-01 20:16:10',
    },
    {
      orderId: '6912345678901234580',
      subOrderId: '6912345678901234581',
      productId: '3701234567890',
      quantity: 30,
      amount: '1,197.00',
      paidAt: '2026-12-01 20:20:00',
    },
    {
      orderId: '6912345678901234590',
      subOrderId: '6912345678901234591',
      merchantCode: 'OTHER-SKU',
      quantity: 1,
      amount: '10.00',
      paidAt: '2026-12-01 20:21:00',
    },
    {
      orderId: '6912345678901234600',
      subOrderId: '6912345678901234601',
      merchantCode: 'WZ-ORANGE-5KG',
      quantity: 'abc',
      amount: '39.90',
      paidAt: '2026-12-01 20:22:00',
    },
  ];

  const upload = async (platform: string, file: Buffer, name: string, token = fx.hostToken) =>
    t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/external-orders`)
      .set('Authorization', token)
      .field('platform', platform)
      .attach('file', file, name);
  const done = async (importId: string) =>
    until(
      'the import done',
      async () => {
        const r = await t.http().get(`${API}/live/imports/${importId}`).set('Authorization', fx.hostToken);
        return r.body.status === 'DONE' ? r.body : undefined;
      },
      20_000,
    );
  const stats = async () =>
    (await t.http().get(`${API}/live/sessions/${fx.sessionId}/stats`).set('Authorization', fx.hostToken))
      .body;
  const income = async () =>
    (await t.http().get(`${API}/households/${fx.householdId}/income`).set('Authorization', t.adminToken))
      .body;

  it('a Douyin export (BOM, tab-prefixed ids, 1,197.00, `-` cells): good rows count, bad ones say why', async () => {
    const res = await upload('DOUYIN', douyinCsv(rows), '订单导出.csv');
    expect(res.status).toBe(202);
    const result = await done(res.body.importId);
    expect(result).toEqual({
      id: res.body.importId,
      sessionId: fx.sessionId,
      platform: 'DOUYIN',
      status: 'DONE',
      rowsTotal: 5,
      rowsDone: 5,
      rowsAccepted: 3,
      rowsRefunded: 0,
      rowsRepeated: 0,
      rowsRefused: [
        {
          row: 5,
          reason:
            'no offer of the session has merchant code (商家编码) OTHER-SKU or platform product id (商品ID) -',
        },
        { row: 6, reason: expect.stringContaining('abc') },
      ],
    });
    expect(await stats()).toMatchObject({
      gmvFen: 3990 + 7980 + 119700,
      paidOrders: 3,
      units: 33,
      buyers: 3,
      offers: [{ offerId: fx.offerId, sold: 33, imported: 33, reserved: 0, remaining: 100, gmvFen: 131670 }],
    });
    // The 19-digit ids are kept as text end to end, and the sale is a paid livestream order marked external.
    const [row] = await t.db.query(
      'SELECT sale_order_id AS id FROM live_external_sales WHERE sub_order_id = ?',
      ['6912345678901234568'],
    );
    const order = await t.http().get(`${API}/orders/${row.id}`).set('Authorization', t.adminToken);
    expect(order.body).toMatchObject({
      channel: 'LIVESTREAM',
      status: 'PAID',
      totalFen: 3990,
      lines: [{ productId: fx.productId, lotId: fx.lotId, quantity: 1, amountFen: 3990 }],
      attribution: {
        liveSessionId: fx.sessionId,
        offerId: fx.offerId,
        external: {
          platform: 'DOUYIN',
          shopId: '',
          orderId: '6912345678901234567',
          subOrderId: '6912345678901234568',
        },
      },
    });
    const [paid] = await t.db.query('SELECT paid_at AS at FROM orders WHERE id = ?', [row.id]);
    expect(new Date(paid.at).toISOString()).toBe('2026-12-01T12:15:03.000Z');
    // The households behind the offer's lot earn every fen, like any other paid sale.
    await until('the household credited', async () => (await income()).byChannel.LIVESTREAM === 131670);
  });

  it('the same export again counts nothing twice', async () => {
    const res = await upload('DOUYIN', douyinCsv(rows), '订单导出.csv');
    const result = await done(res.body.importId);
    expect(result).toMatchObject({ rowsTotal: 5, rowsAccepted: 0, rowsRepeated: 3, rowsRefunded: 0 });
    expect(result.rowsRefused.map((r: { row: number }) => r.row)).toEqual([5, 6]);
    expect((await stats()).gmvFen).toBe(131670);
    const [n] = await t.db.query('SELECT COUNT(*) AS n FROM live_external_sales WHERE session_id = ?', [
      fx.sessionId,
    ]);
    expect(Number(n.n)).toBe(3);
  });

  it('a later export where a row became 退款成功 reverses that row’s income', async () => {
    const later = rows
      .slice(0, 3)
      .map((r, i) => (i === 1 ? { ...r, afterSale: '退款成功', status: '已关闭' } : r));
    const result = await done((await upload('DOUYIN', douyinCsv(later), '订单导出-12-02.csv')).body.importId);
    expect(result).toMatchObject({
      rowsTotal: 3,
      rowsAccepted: 0,
      rowsRepeated: 2,
      rowsRefunded: 1,
      rowsRefused: [],
    });
    expect(await stats()).toMatchObject({ gmvFen: 131670 - 7980, paidOrders: 2, units: 31 });
    await until('the refund reversed', async () => (await income()).byChannel.LIVESTREAM === 123690);
    // Reported again: nothing more.
    const again = await done((await upload('DOUYIN', douyinCsv(later), '订单导出-12-02.csv')).body.importId);
    expect(again).toMatchObject({ rowsAccepted: 0, rowsRepeated: 3, rowsRefunded: 0 });
    expect((await stats()).gmvFen).toBe(123690);
  });

  it('a Kuaishou export encoded in GBK with ￥ amounts (¥ has no GBK code)', async () => {
    const file = kuaishouGbkCsv([
      {
        orderId: '2345678901234567890',
        subOrderId: '',
        merchantCode: 'WZ-ORANGE-5KG',
        quantity: 3,
        amount: '￥119.70',
        paidAt: '2026/12/01 21:00:00',
      },
    ]);
    expect(file.includes(Buffer.from('订单号', 'utf8'))).toBe(false); // really GBK
    const result = await done((await upload('KUAISHOU', file, 'kuaishou.csv')).body.importId);
    expect(result).toMatchObject({ rowsTotal: 1, rowsAccepted: 1, rowsRefused: [] });
    expect((await stats()).gmvFen).toBe(123690 + 11970);
  });

  it('a WeChat Channels XLSX export', async () => {
    const file = await wechatXlsx([
      {
        orderId: '3700000000000000001',
        subOrderId: '3700000000000000002',
        merchantCode: 'WZ-ORANGE-5KG',
        quantity: 1,
        amount: '39.90',
        paidAt: '2026-12-01 21:30:00',
      },
    ]);
    const result = await done((await upload('WECHAT_CHANNELS', file, 'wechat.xlsx')).body.importId);
    expect(result).toMatchObject({ rowsTotal: 1, rowsAccepted: 1, rowsRefused: [] });
    expect((await stats()).gmvFen).toBe(123690 + 11970 + 3990);
  });

  it('the plain JSON form, and its refund', async () => {
    const body = (afterSale?: 'REFUNDED') => ({
      platform: 'DOUYIN',
      shopId: 'shop-wanzhou-1',
      rows: [
        {
          orderId: '6999999999999999990',
          subOrderId: '6999999999999999991',
          merchantCode: 'WZ-ORANGE-5KG',
          quantity: 1,
          amountFen: 3990,
          paidAt: '2026-12-01T13:00:00Z',
          ...(afterSale ? { afterSale } : {}),
        },
      ],
    });
    const first = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/external-orders`)
      .set('Authorization', fx.hostToken)
      .send(body());
    expect(first.status).toBe(202);
    expect(await done(first.body.importId)).toMatchObject({ rowsAccepted: 1 });
    const refund = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/external-orders`)
      .set('Authorization', fx.hostToken)
      .send(body('REFUNDED'));
    expect(await done(refund.body.importId)).toMatchObject({ rowsAccepted: 0, rowsRefunded: 1 });
    expect((await stats()).gmvFen).toBe(123690 + 11970 + 3990);
  });

  it('another host may neither import into the session nor read its imports; neither file nor rows is 400', async () => {
    const f = factory(t);
    const other = await f.host({ name: '其他主播' });
    await f.user({
      username: 'host-imp-other',
      password: 'host-pass-123',
      roles: ['HOST'],
      hostId: other.id,
    });
    const token = await t.login('host-imp-other', 'host-pass-123');
    const refused = await upload('DOUYIN', douyinCsv(rows), 'x.csv', token);
    expect(refused.status).toBe(403);
    const mine = await upload('DOUYIN', douyinCsv(rows.slice(0, 1)), 'x.csv');
    const peek = await t.http().get(`${API}/live/imports/${mine.body.importId}`).set('Authorization', token);
    expect(peek.status).toBe(404);
    const empty = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/external-orders`)
      .set('Authorization', fx.hostToken)
      .send({ platform: 'DOUYIN' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toEqual([
      { field: 'file', message: 'send either file (multipart/form-data) or rows (JSON), one of them' },
    ]);
    // A form body anywhere else is still 415.
    const form = await t
      .http()
      .post(`${API}/live/sessions/${fx.sessionId}/orders`)
      .set('Authorization', fx.hostToken)
      .field('offerId', fx.offerId);
    expect(form.status).toBe(415);
  });
});
