import { isUtf8 } from 'node:buffer';
import { parse } from 'csv-parse/sync';
import { Workbook } from 'exceljs';
import * as iconv from 'iconv-lite';

/**
 * Reads the order exports shop owners download from Douyin (抖店), Kuaishou (快手小店) and WeChat Channels
 * (微信小店), CSV or XLSX, into normalized rows. Pure: no database, no clock. A bad row never stops the good
 * ones; it comes back in `refused` with a short reason.
 */

export type Platform = 'DOUYIN' | 'KUAISHOU' | 'WECHAT_CHANNELS';

export interface ExternalRow {
  /** The row number a spreadsheet shows: the header is row 1 (when it is the first line), data from row 2. */
  row: number;
  /** Main order id, digits only, kept as a string (Douyin ids have 19 digits, beyond 2^53). */
  orderId: string;
  /** Sub-order id; when the platform gives none: `${orderId}-${platformProductId ?? merchantCode}`. */
  subOrderId: string;
  platformProductId: string | null;
  merchantCode: string | null;
  /** Positive integer. */
  quantity: number;
  /** Integer fen, as the platform reports the row's amount. */
  amountFen: number;
  /** The paid time (Asia/Shanghai in the file) as an instant; null when the file has no paid time for the row. */
  paidAt: Date | null;
  /** The after-sale (or order) status says the money went back to the buyer. */
  refunded: boolean;
  shopId: string | null;
}

export interface ParsedExport {
  rows: ExternalRow[];
  refused: { row: number; reason: string }[];
}

type Field =
  | 'orderId'
  | 'subOrderId'
  | 'productId'
  | 'merchantCode'
  | 'quantity'
  | 'amount'
  | 'paidAt'
  | 'orderStatus'
  | 'afterSaleStatus'
  | 'shopId';

const FIELDS: readonly Field[] = [
  'orderId',
  'subOrderId',
  'productId',
  'merchantCode',
  'quantity',
  'amount',
  'paidAt',
  'orderStatus',
  'afterSaleStatus',
  'shopId',
];

/** Header names per logical field, most specific first: the first alias present in the file wins. */
const ALIASES: Record<Platform, Record<Field, readonly string[]>> = {
  DOUYIN: {
    orderId: ['主订单编号'],
    subOrderId: ['子订单编号'],
    productId: ['商品ID'],
    merchantCode: ['商家编码'],
    quantity: ['商品数量'],
    amount: ['订单应付金额'],
    paidAt: ['支付完成时间'],
    orderStatus: ['订单状态'],
    afterSaleStatus: ['售后状态'],
    shopId: ['店铺ID'],
  },
  KUAISHOU: {
    orderId: ['订单号'],
    subOrderId: ['子订单号'],
    productId: ['商品ID'],
    merchantCode: ['商家编码', 'SKU编码', '商品编码'],
    quantity: ['商品数量', '成交数量', '购买数量'],
    amount: ['实付款', '订单实付金额', '订单应付金额'],
    paidAt: ['支付时间', '订单支付时间'],
    orderStatus: ['订单状态'],
    afterSaleStatus: ['售后状态'],
    shopId: ['店铺ID'],
  },
  WECHAT_CHANNELS: {
    orderId: ['订单号'],
    subOrderId: ['子订单号'],
    productId: ['商品ID', '商品编码(平台)'],
    merchantCode: ['商家编码', 'SKU编码', '商品编码'],
    quantity: ['商品数量', '数量'],
    amount: ['实付金额', '订单实付金额', '订单应付金额'],
    paidAt: ['支付时间'],
    orderStatus: ['订单状态'],
    afterSaleStatus: ['售后状态'],
    shopId: ['店铺ID'],
  },
};

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
/** Excel day 25569 is 1970-01-01. */
const EXCEL_EPOCH_DAY = 25569;
const EXCEL_MAX_DAY = 2958466;

const DIGITS_RE = /^\d+$/;
const SCIENTIFIC_RE = /^\d(?:\.\d+)?E\+?\d+$/i;
const WHOLE_RE = /^\d+(?:\.0+)?$/;
const YUAN_RE = /^[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*元?$/;
const DATE_RE =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,3})\d*)?)?)?$/;
const HEADER_NOISE_RE = /[\s\uFEFF]/g;

const UNPAID_MARKS = ['待支付', '待付款', '未支付', '已关闭', '交易关闭', '已取消'];
const UNPAID_CODES = new Set(['UNPAID', 'WAIT_PAY', 'CLOSED', 'CANCELLED', 'CANCELED']);
const REFUND_MARKS = ['退款成功', '已退款', '退款完成'];
const REFUND_CODES = new Set(['REFUNDED', 'REFUND_SUCCESS']);

/** What a cell holds once read: CSV gives strings; XLSX also numbers, booleans and dates. */
type RawCell = string | number | boolean | Date | null | undefined;

/**
 * One cell as text: trimmed, without the leading tab / apostrophe / `="..."` wrapper exports use to keep ids as
 * text; `-`, `--` and blank mean empty (`''`).
 */
export function cleanCell(v: string): string {
  let s = v.trim();
  if (s.length >= 3 && s.startsWith('="') && s.endsWith('"')) {
    s = s.slice(2, -1).trim();
  } else if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) {
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith("'")) {
    s = s.slice(1).trim();
  }
  return s === '-' || s === '--' ? '' : s;
}

/**
 * Bytes to text: UTF-8 (BOM stripped), UTF-16 with a BOM, and anything that is not valid UTF-8 as GBK
 * (decoded as GB18030, its superset).
 */
export function decodeText(buf: Buffer): string {
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
    return buf.toString('utf8', 3);
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
    return buf.toString('utf16le', 2);
  }
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    return iconv.decode(buf.subarray(2), 'utf16be');
  }
  if (isUtf8(buf)) {
    return buf.toString('utf8');
  }
  return iconv.decode(buf, 'gb18030');
}

/**
 * Yuan text (`29.90`, `29.9`, `29`, `1,299.00`, `¥29.90`, `￥0.10`) to integer fen, on the digits, without
 * floating point. Null for empty, `-`, negative, more than two decimals, or anything else.
 */
export function yuanToFen(text: string): number | null {
  const m = YUAN_RE.exec(text.trim());
  if (!m) {
    return null;
  }
  const fen = Number(m[1].replaceAll(',', '') + (m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

/**
 * Parses one export. XLSX is recognised by its zip signature, anything else is read as CSV (comma or tab
 * separated, UTF-8 or GBK). A file whose header lacks a required column is refused as a whole.
 */
export async function parseExport(platform: Platform, file: Buffer): Promise<ParsedExport> {
  const sink = new ExportRows(platform);
  if (file.length >= 4 && file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04) {
    await readXlsx(file, sink);
  } else if (
    file.length >= 4 &&
    file[0] === 0xd0 &&
    file[1] === 0xcf &&
    file[2] === 0x11 &&
    file[3] === 0xe0
  ) {
    sink.refuseFile(1, 'legacy .xls workbooks are not supported; save the export as .xlsx or CSV');
  } else {
    readCsv(decodeText(file), sink);
  }
  return sink.result();
}

async function readXlsx(file: Buffer, sink: ExportRows): Promise<void> {
  const wb = new Workbook();
  try {
    // exceljs declares its own Buffer type; a Node Buffer is what it reads.
    await wb.xlsx.load(file as unknown as Parameters<typeof wb.xlsx.load>[0]);
  } catch {
    sink.refuseFile(1, 'the file is not a readable XLSX workbook');
    return;
  }
  const ws = wb.worksheets[0];
  if (!ws) {
    sink.refuseFile(1, 'the workbook has no worksheet');
    return;
  }
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const values = row.values;
    // row.values is 1-based and sparse; Array.from turns holes into undefined.
    sink.push(Array.isArray(values) ? Array.from(values.slice(1), fromExcel) : [], rowNumber);
  });
}

function readCsv(text: string, sink: ExportRows): void {
  const delimiter = detectDelimiter(text, sink.platform);
  parse(text, {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    relax_quotes: true,
    // Ids and amounts come tab-prefixed (`\t"1,299.00"`); trimming lets the quotes count. A tab is the
    // delimiter of a TSV, so only comma files are trimmed.
    ltrim: delimiter === ',',
    rtrim: delimiter === ',',
    skip_records_with_error: true,
    on_skip: (err) => {
      if (err) {
        sink.refuse(
          Number(err.records) + 1 + Number(err.empty_lines),
          `the CSV record could not be read: ${err.message}`,
        );
      }
      return undefined;
    },
    on_record: (record: string[], ctx) => {
      // A spreadsheet shows skipped empty lines as rows too.
      sink.push(record, ctx.records + ctx.empty_lines);
      return null;
    },
  });
}

/** Comma or tab: whichever splits the first non-blank line into more of this platform's header names. */
function detectDelimiter(text: string, platform: Platform): ',' | '\t' {
  let start = 0;
  let line = '';
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) {
      end = text.length;
    }
    line = text.slice(start, end);
    if (line.replace(/[,\t\s]/g, '') !== '') {
      break;
    }
    start = end + 1;
  }
  const known = KNOWN_HEADERS[platform];
  const hits = (sep: string) => line.split(sep).filter((h) => known.has(normalizeHeader(h))).length;
  return hits('\t') > hits(',') ? '\t' : ',';
}

function normalizeHeader(h: string): string {
  return cleanCell(h).replace(HEADER_NOISE_RE, '').replaceAll('（', '(').replaceAll('）', ')').toUpperCase();
}

const KNOWN_HEADERS = Object.fromEntries(
  (Object.keys(ALIASES) as Platform[]).map((p) => [
    p,
    new Set(FIELDS.flatMap((f) => ALIASES[p][f].map(normalizeHeader))),
  ]),
) as Record<Platform, Set<string>>;

interface Columns {
  index: Record<Field, number>;
  /** The header as written in the file, for reasons. */
  name: Record<Field, string>;
}

/** Collects rows in file order; the first non-blank row is the header. */
class ExportRows {
  private columns: Columns | null = null;
  private fileRefused = false;
  private readonly rows: ExternalRow[] = [];
  private readonly refused: { row: number; reason: string }[] = [];

  constructor(readonly platform: Platform) {}

  push(cells: RawCell[], row: number): void {
    if (this.fileRefused) {
      return;
    }
    if (!this.columns) {
      if (isBlank(cells)) {
        return;
      }
      const columns = resolveColumns(this.platform, cells);
      if (typeof columns === 'string') {
        this.refuseFile(row, columns);
      } else {
        this.columns = columns;
      }
      return;
    }
    const out = readRow(cells, row, this.columns);
    if (typeof out === 'string') {
      this.refused.push({ row, reason: out });
    } else if (out) {
      this.rows.push(out);
    }
  }

  refuse(row: number, reason: string): void {
    if (!this.fileRefused) {
      this.refused.push({ row, reason });
    }
  }

  refuseFile(row: number, reason: string): void {
    this.fileRefused = true;
    this.rows.length = 0;
    this.refused.length = 0;
    this.refused.push({ row, reason });
  }

  result(): ParsedExport {
    if (!this.columns && !this.fileRefused) {
      return { rows: [], refused: [{ row: 1, reason: 'the file has no header row' }] };
    }
    return { rows: this.rows, refused: this.refused };
  }
}

/** Columns by header name; a reason naming the first missing required column when the header lacks it. */
function resolveColumns(platform: Platform, header: RawCell[]): Columns | string {
  const byName = new Map<string, number>();
  header.forEach((cell, i) => {
    const key = normalizeHeader(cellText(cell));
    if (key !== '' && !byName.has(key)) {
      byName.set(key, i);
    }
  });
  const index = {} as Record<Field, number>;
  const name = {} as Record<Field, string>;
  for (const field of FIELDS) {
    const aliases = ALIASES[platform][field];
    const alias = aliases.find((a) => byName.has(normalizeHeader(a)));
    index[field] = alias === undefined ? -1 : (byName.get(normalizeHeader(alias)) ?? -1);
    name[field] = alias ?? aliases[0];
  }
  for (const field of ['orderId', 'quantity', 'amount'] as const) {
    if (index[field] < 0) {
      return `missing column ${name[field]}`;
    }
  }
  if (index.productId < 0 && index.merchantCode < 0) {
    return `missing column ${name.productId} or ${name.merchantCode}`;
  }
  return { index, name };
}

const LOST = Symbol('lost digits');

/** A row, a reason to refuse it, or null for a blank row. */
function readRow(cells: RawCell[], row: number, cols: Columns): ExternalRow | string | null {
  const at = (f: Field): RawCell => (cols.index[f] < 0 ? null : cells[cols.index[f]]);

  const orderId = idText(at('orderId'));
  if (orderId === LOST) {
    return 'order id stored as a number lost its digits; export IDs as text';
  }
  if (orderId === '') {
    return isBlank(cells) ? null : 'order id is empty';
  }
  if (!DIGITS_RE.test(orderId)) {
    return SCIENTIFIC_RE.test(orderId)
      ? `order id "${orderId}" lost its digits in scientific notation; export IDs as text`
      : `order id "${orderId}" is not all digits`;
  }

  const status = cellText(at('orderStatus'));
  const afterSale = cellText(at('afterSaleStatus'));
  const refunded = isRefunded(afterSale) || isRefunded(status);
  if (!refunded && isUnpaid(status)) {
    return `not paid (${cols.name.orderStatus} ${status})`;
  }

  const q = cellText(at('quantity'));
  if (q === '') {
    return 'quantity is empty';
  }
  if (!WHOLE_RE.test(q)) {
    return `quantity "${q}" is not a whole number`;
  }
  const quantity = Number(q);
  if (quantity <= 0) {
    return `quantity "${q}" is not positive`;
  }
  if (!Number.isSafeInteger(quantity)) {
    return `quantity "${q}" is too large`;
  }

  const amount = cellText(at('amount'));
  if (amount === '') {
    return 'amount is empty';
  }
  const amountFen = yuanToFen(amount);
  if (amountFen === null) {
    return `amount "${amount}" is not a yuan amount`;
  }

  const paidCell = at('paidAt');
  const paidAt = paidInstant(paidCell);
  if (paidAt === undefined) {
    return `paid time "${cellText(paidCell)}" is not a date`;
  }

  const productId = idText(at('productId'));
  if (productId === LOST) {
    return 'product id stored as a number lost its digits; export IDs as text';
  }
  const merchantCode = idText(at('merchantCode'));
  if (merchantCode === LOST) {
    return 'merchant code stored as a number lost its digits; export IDs as text';
  }
  if (productId === '' && merchantCode === '') {
    return `no product: ${cols.name.productId} and ${cols.name.merchantCode} are both empty`;
  }
  const subOrderId = idText(at('subOrderId'));
  if (subOrderId === LOST) {
    return 'sub-order id stored as a number lost its digits; export IDs as text';
  }
  const shopId = idText(at('shopId'));
  if (shopId === LOST) {
    return 'shop id stored as a number lost its digits; export IDs as text';
  }

  return {
    row,
    orderId,
    subOrderId: subOrderId || `${orderId}-${productId || merchantCode}`,
    platformProductId: productId || null,
    merchantCode: merchantCode || null,
    quantity,
    amountFen,
    paidAt,
    refunded,
    shopId: shopId || null,
  };
}

function isUnpaid(status: string): boolean {
  return (
    status !== '' && (UNPAID_MARKS.some((m) => status.includes(m)) || UNPAID_CODES.has(status.toUpperCase()))
  );
}

function isRefunded(status: string): boolean {
  if (status === '') {
    return false;
  }
  return (
    REFUND_MARKS.some((m) => status.includes(m)) ||
    (status.includes('售后完成') && status.includes('退款')) ||
    REFUND_CODES.has(status.toUpperCase())
  );
}

function isBlank(cells: RawCell[]): boolean {
  for (const c of cells) {
    if (cellText(c) !== '') {
      return false;
    }
  }
  return true;
}

/** Cell as cleaned text. Numbers read as Excel shows them (15 significant digits), dates as local wall time. */
function cellText(cell: RawCell): string {
  if (cell === null || cell === undefined) {
    return '';
  }
  if (typeof cell === 'string') {
    return cleanCell(cell);
  }
  if (typeof cell === 'number') {
    return Number.isInteger(cell) ? String(cell) : String(Number(cell.toPrecision(15)));
  }
  if (typeof cell === 'boolean') {
    return cell ? 'TRUE' : 'FALSE';
  }
  return cell.toISOString().slice(0, 19).replace('T', ' ');
}

/** An id cell as text; LOST when XLSX stored it as a number too large to hold every digit. */
function idText(cell: RawCell): string | typeof LOST {
  if (typeof cell === 'number' && !Number.isSafeInteger(cell) && Math.abs(cell) >= Number.MAX_SAFE_INTEGER) {
    return LOST;
  }
  return cellText(cell);
}

/** The paid instant; null when empty, undefined when unreadable. */
function paidInstant(cell: RawCell): Date | null | undefined {
  if (cell instanceof Date) {
    // exceljs writes the cell's Shanghai wall time into the UTC fields.
    const ms = cell.getTime();
    return Number.isNaN(ms) ? undefined : new Date(Math.round(ms / 1000) * 1000 - SHANGHAI_OFFSET_MS);
  }
  if (typeof cell === 'number') {
    if (!(cell >= 1 && cell < EXCEL_MAX_DAY)) {
      return undefined;
    }
    const wallMs = Math.round((cell - EXCEL_EPOCH_DAY) * 86400) * 1000;
    return new Date(wallMs - SHANGHAI_OFFSET_MS);
  }
  const text = cellText(cell);
  return text === '' ? null : shanghaiTextToDate(text);
}

/** `2026-11-30 20:15:03` or `2026/11/30 20:15:03` in Asia/Shanghai (UTC+8, no DST) to an instant. */
function shanghaiTextToDate(text: string): Date | undefined {
  const m = DATE_RE.exec(text);
  if (!m) {
    return undefined;
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) {
    return undefined;
  }
  const wall = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (wall.getUTCMonth() !== mo - 1 || wall.getUTCDate() !== d) {
    return undefined;
  }
  return new Date(wall.getTime() - SHANGHAI_OFFSET_MS);
}

/** exceljs cell values: rich text, formula results and hyperlinks reduced to what the cell shows. */
function fromExcel(v: unknown): RawCell {
  if (v === null || v === undefined) {
    return null;
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) {
    return v;
  }
  if (typeof v === 'object') {
    const o = v as { richText?: { text?: string }[]; result?: unknown; text?: unknown; error?: unknown };
    if (Array.isArray(o.richText)) {
      return o.richText.map((r) => r.text ?? '').join('');
    }
    if ('result' in o) {
      return fromExcel(o.result);
    }
    if ('text' in o) {
      return fromExcel(o.text);
    }
    if (typeof o.error === 'string') {
      return o.error;
    }
  }
  return null;
}
