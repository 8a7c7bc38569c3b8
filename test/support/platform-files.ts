import ExcelJS from 'exceljs';
import { encode } from 'iconv-lite';

/** One sub-order of a platform export, as the shop owner's download shows it. */
export interface ExportRow {
  orderId: string;
  subOrderId: string;
  productId?: string;
  merchantCode?: string;
  quantity: string | number;
  /** Yuan as the platform writes it: "29.90", "1,299.00", "¥29.90". */
  amount: string;
  paidAt: string;
  status?: string;
  afterSale?: string;
}

const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * A Douyin shop (抖店) order export: UTF-8 with a byte order mark, IDs prefixed with a tab so spreadsheets
 * keep them as text, amounts in yuan, `-` for empty cells.
 */
export function douyinCsv(rows: readonly ExportRow[]): Buffer {
  const header =
    '主订单编号,子订单编号,商品ID,商品名称,商家编码,商品数量,订单应付金额,支付完成时间,订单状态,售后状态';
  const lines = rows.map((r) =>
    [
      `\t${r.orderId}`,
      `\t${r.subOrderId}`,
      r.productId ? `\t${r.productId}` : '-',
      '万州玫瑰香橙 5kg',
      r.merchantCode ?? '-',
      String(r.quantity),
      r.amount,
      r.paidAt,
      r.status ?? '已完成',
      r.afterSale ?? '-',
    ]
      .map(quote)
      .join(','),
  );
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from([header, ...lines].join('\r\n') + '\r\n', 'utf8'),
  ]);
}

/** A Kuaishou shop (快手小店) export, GBK-encoded as older exports are, amounts like `¥29.90`. */
export function kuaishouGbkCsv(rows: readonly ExportRow[]): Buffer {
  const header = '订单号,商品ID,商品名称,SKU编码,成交数量,实付款,订单支付时间,订单状态,售后状态';
  const lines = rows.map((r) =>
    [
      `\t${r.orderId}`,
      r.productId ?? '',
      '川星花椒',
      r.merchantCode ?? '',
      String(r.quantity),
      r.amount,
      r.paidAt,
      r.status ?? '交易成功',
      r.afterSale ?? '',
    ]
      .map(quote)
      .join(','),
  );
  return encode([header, ...lines].join('\r\n') + '\r\n', 'gbk');
}

/** A WeChat Channels shop (微信小店) export: an XLSX workbook, IDs as text cells. */
export async function wechatXlsx(rows: readonly ExportRow[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('订单');
  ws.addRow([
    '订单号',
    '子订单号',
    '商品名称',
    '商家编码',
    '商品数量',
    '实付金额',
    '支付时间',
    '订单状态',
    '售后状态',
  ]);
  for (const r of rows) {
    ws.addRow([
      r.orderId,
      r.subOrderId,
      '三峡绿茶',
      r.merchantCode ?? '',
      Number(r.quantity),
      r.amount,
      r.paidAt,
      r.status ?? '已完成',
      r.afterSale ?? '',
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
