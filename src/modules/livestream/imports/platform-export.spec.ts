import { Workbook } from 'exceljs';
import * as iconv from 'iconv-lite';
import { cleanCell, decodeText, parseExport, yuanToFen } from '@/modules/livestream/imports/platform-export';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const utf8Bom = (text: string) => Buffer.concat([BOM, Buffer.from(text, 'utf8')]);

/** As 抖店 exports it: extra columns, tab-prefixed ids, quoted thousands, `-` for empty, CRLF. */
const DOUYIN_HEADER =
  '主订单编号,子订单编号,选购商品,商品ID, 商品数量\t,商家编码,订单应付金额,支付完成时间,订单状态,售后状态,店铺ID';
const douyinCsv = (lines: string[]) => [DOUYIN_HEADER, ...lines].join('\r\n') + '\r\n';

const DOUYIN_LINES = [
  '\t6912345678901234567,\t6912345678901234568,有机小米 2kg,\t3601234567890123456,2,XM-2KG,"1,299.00",2026-11-30 20:15:03,已发货,-,\t88001',
  '\t6912345678901234570,\t6912345678901234571,"土蜂蜜, 500g",\t3601234567890123457,1,-,29.90,2026/11/30 21:00:00,已完成,-,\t88001',
  '\t6912345678901234580,\t6912345678901234581,核桃,\t3601234567890123458,3,HT-500,89.70,2026-12-01 00:05:09,待发货,-,-',
  '\t6912345678901234590,\t6912345678901234591,核桃,\t3601234567890123458,abc,HT-500,29.90,2026-12-01 00:06:00,待发货,-,-',
  '\t6912345678901234600,\t6912345678901234601,核桃,\t3601234567890123458,1,HT-500,29.90,-,已关闭,-,-',
];

const DOUYIN_EXPECTED = {
  rows: [
    {
      row: 2,
      orderId: '6912345678901234567',
      subOrderId: '6912345678901234568',
      platformProductId: '3601234567890123456',
      merchantCode: 'XM-2KG',
      quantity: 2,
      amountFen: 129900,
      paidAt: new Date('2026-11-30T12:15:03.000Z'),
      refunded: false,
      shopId: '88001',
    },
    {
      row: 3,
      orderId: '6912345678901234570',
      subOrderId: '6912345678901234571',
      platformProductId: '3601234567890123457',
      merchantCode: null,
      quantity: 1,
      amountFen: 2990,
      paidAt: new Date('2026-11-30T13:00:00.000Z'),
      refunded: false,
      shopId: '88001',
    },
    {
      row: 4,
      orderId: '6912345678901234580',
      subOrderId: '6912345678901234581',
      platformProductId: '3601234567890123458',
      merchantCode: 'HT-500',
      quantity: 3,
      amountFen: 8970,
      paidAt: new Date('2026-11-30T16:05:09.000Z'),
      refunded: false,
      shopId: null,
    },
  ],
  refused: [
    { row: 5, reason: 'quantity "abc" is not a whole number' },
    { row: 6, reason: 'not paid (订单状态 已关闭)' },
  ],
};

describe('parseExport: Douyin CSV', () => {
  it('reads UTF-8 with BOM: 19-digit ids exact, quoted thousands, `-` as empty; bad rows refused with reasons', async () => {
    const parsed = await parseExport('DOUYIN', utf8Bom(douyinCsv(DOUYIN_LINES)));
    expect(parsed).toEqual(DOUYIN_EXPECTED);
    expect(parsed.rows[0].paidAt?.toISOString()).toBe('2026-11-30T12:15:03.000Z');
  });

  it('reads the same file encoded as GBK identically', async () => {
    const gbk = iconv.encode(douyinCsv(DOUYIN_LINES), 'gbk');
    expect(gbk.equals(Buffer.from(douyinCsv(DOUYIN_LINES), 'utf8'))).toBe(false);
    expect(await parseExport('DOUYIN', gbk)).toEqual(DOUYIN_EXPECTED);
  });

  it('marks 退款成功 as refunded, and keeps a closed order whose refund completed', async () => {
    const parsed = await parseExport(
      'DOUYIN',
      utf8Bom(
        douyinCsv([
          '\t6912345678901234610,\t6912345678901234611,核桃,\t3601234567890123458,1,HT-500,29.90,2026-12-01 10:00:00,已完成,退款成功,-',
          '\t6912345678901234620,\t6912345678901234621,核桃,\t3601234567890123458,1,HT-500,29.90,2026-12-01 11:00:00,已关闭,退款成功,-',
          '\t6912345678901234630,\t6912345678901234631,核桃,\t3601234567890123458,1,HT-500,29.90,2026-12-01 12:00:00,已完成,退款失败,-',
        ]),
      ),
    );
    expect(parsed.refused).toEqual([]);
    expect(parsed.rows.map((r) => [r.row, r.orderId, r.refunded])).toEqual([
      [2, '6912345678901234610', true],
      [3, '6912345678901234620', true],
      [4, '6912345678901234630', false],
    ]);
  });

  it('refuses a file whose header lacks a required column, naming it as the platform does', async () => {
    const csv = [
      '主订单编号,子订单编号,商品ID,商家编码,订单应付金额',
      '\t6912345678901234567,\t1,\t2,A,29.90',
    ].join('\n');
    expect(await parseExport('DOUYIN', utf8Bom(csv))).toEqual({
      rows: [],
      refused: [{ row: 1, reason: 'missing column 商品数量' }],
    });
  });

  it('reads a 100,000-row export', async () => {
    const lines: string[] = [DOUYIN_HEADER];
    for (let i = 0; i < 100_000; i++) {
      const id = String(6912345678000000000n + BigInt(i));
      lines.push(
        `\t${id},\t${id}1,有机小米 2kg 装 礼盒,\t3601234567890123456,1,XM-2KG,"1,299.00",2026-11-30 20:15:03,已发货,-,\t88001`,
      );
    }
    const parsed = await parseExport('DOUYIN', utf8Bom(lines.join('\r\n')));
    expect(parsed.refused).toEqual([]);
    expect(parsed.rows).toHaveLength(100_000);
    expect(parsed.rows[99_999].row).toBe(100_001);
    expect(parsed.rows[99_999].orderId).toBe('6912345678000099999');
  });
});

describe('parseExport: Kuaishou CSV', () => {
  it('reads ¥ amounts, a tab-separated file, and builds the sub-order id from the product id', async () => {
    const tsv = [
      '订单号\t商品ID\t商品名称\tSKU编码\t成交数量\t实付款\t订单支付时间\t订单状态\t售后状态',
      '2412345678901234\t20001\t土鸡蛋 30枚\tEGG-30\t1\t¥29.90\t2026-11-30 20:15:03\t交易成功\t',
      '2412345678901235\t20002\t茶油 5L\tOIL-5L\t1\t¥1,299.9\t2026-11-30 20:16:00\t已发货\t',
    ].join('\n');
    const parsed = await parseExport('KUAISHOU', Buffer.from(tsv, 'utf8'));
    expect(parsed.refused).toEqual([]);
    expect(parsed.rows).toEqual([
      {
        row: 2,
        orderId: '2412345678901234',
        subOrderId: '2412345678901234-20001',
        platformProductId: '20001',
        merchantCode: 'EGG-30',
        quantity: 1,
        amountFen: 2990,
        paidAt: new Date('2026-11-30T12:15:03.000Z'),
        refunded: false,
        shopId: null,
      },
      {
        row: 3,
        orderId: '2412345678901235',
        subOrderId: '2412345678901235-20002',
        platformProductId: '20002',
        merchantCode: 'OIL-5L',
        quantity: 1,
        amountFen: 129990,
        paidAt: new Date('2026-11-30T12:16:00.000Z'),
        refunded: false,
        shopId: null,
      },
    ]);
  });
});

describe('parseExport: WeChat Channels XLSX', () => {
  it('reads text ids, numbers, rich text, formulas and date cells; refuses an id stored as an unsafe number', async () => {
    const wb = new Workbook();
    const ws = wb.addWorksheet('订单');
    ws.addRow([
      '订单号',
      '商品ID',
      '商家编码',
      '数量',
      '订单实付金额',
      '支付时间',
      '订单状态',
      '售后状态',
      '备注',
    ]);
    ws.addRow([
      '3705123456789012345',
      '10000123456789',
      'HN-001',
      2,
      59.8,
      new Date(Date.UTC(2026, 10, 30, 20, 15, 3)),
      '待发货',
      '',
      'x',
    ]);
    const unsafeId = Number('3705123456789012346');
    expect(Number.isSafeInteger(unsafeId)).toBe(false);
    ws.addRow([unsafeId, '10000123456789', 'HN-001', 1, 29.9, '2026-11-30 21:00:00', '待发货', '']);
    ws.addRow([
      1234567890123,
      '10000123456790',
      { richText: [{ text: 'HN-' }, { text: '002' }] },
      { formula: '1+1', result: 2 },
      '¥19.90',
      '2026/12/01 09:00:00',
      '已完成',
      '售后完成(退款)',
    ]);
    const file = Buffer.from(await wb.xlsx.writeBuffer());

    const parsed = await parseExport('WECHAT_CHANNELS', file);
    expect(parsed).toEqual({
      rows: [
        {
          row: 2,
          orderId: '3705123456789012345',
          subOrderId: '3705123456789012345-10000123456789',
          platformProductId: '10000123456789',
          merchantCode: 'HN-001',
          quantity: 2,
          amountFen: 5980,
          paidAt: new Date('2026-11-30T12:15:03.000Z'),
          refunded: false,
          shopId: null,
        },
        {
          row: 4,
          orderId: '1234567890123',
          subOrderId: '1234567890123-10000123456790',
          platformProductId: '10000123456790',
          merchantCode: 'HN-002',
          quantity: 2,
          amountFen: 1990,
          paidAt: new Date('2026-12-01T01:00:00.000Z'),
          refunded: true,
          shopId: null,
        },
      ],
      refused: [{ row: 3, reason: 'order id stored as a number lost its digits; export IDs as text' }],
    });
  });
});

describe('yuanToFen', () => {
  it.each([
    ['29.90', 2990],
    ['29.9', 2990],
    ['29', 2900],
    ['0.01', 1],
    ['1,299.00', 129900],
    ['¥29.90', 2990],
    ['￥0.10', 10],
    ['-', null],
    ['', null],
    ['abc', null],
    ['1.234', null],
    ['-5', null],
  ])('%p -> %p', (text, fen) => {
    expect(yuanToFen(text)).toBe(fen);
  });
});

describe('decodeText', () => {
  const text = '主订单编号,商品数量\n抖店,1';
  it('reads UTF-8 with and without BOM, and GBK, to the same string', () => {
    expect(decodeText(utf8Bom(text))).toBe(text);
    expect(decodeText(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeText(iconv.encode(text, 'gbk'))).toBe(text);
  });
});

describe('cleanCell', () => {
  it.each([
    ['\t6912345678901234567', '6912345678901234567'],
    ['="6912345678901234567"', '6912345678901234567'],
    ["'6912345678901234567", '6912345678901234567'],
    ['  XM-2KG ', 'XM-2KG'],
    ['-', ''],
    ['--', ''],
    ['', ''],
  ])('%p -> %p', (raw, clean) => {
    expect(cleanCell(raw)).toBe(clean);
  });
});
