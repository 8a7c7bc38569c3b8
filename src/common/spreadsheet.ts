import { Workbook } from 'exceljs';

/** A table to hand out as a file: rows of cells, the first row usually the header. */
export type Table = (string | number | null)[][];

const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  // Quote what needs it, and neutralise a leading formula character (CSV injection).
  const safe = /^[=+\-@]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** A CSV a spreadsheet opens as it is (UTF-8 with BOM, CRLF), formula characters neutralised. */
export function toCsv(rows: Table): string {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/**
 * An XLSX workbook (exceljs): one sheet per table, the first row of each bold and frozen, numbers kept as
 * numbers so that the district's staff can sum them.
 */
export async function toXlsx(sheets: { name: string; rows: Table }[]): Promise<Buffer> {
  const wb = new Workbook();
  wb.creator = 'consumption-support';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    for (const row of s.rows) {
      ws.addRow(row.map((v) => (typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : v)));
    }
    ws.getRow(1).font = { bold: true };
    ws.columns.forEach((c) => {
      const widest = Math.max(0, ...s.rows.map((r) => String(r[(c.number ?? 1) - 1] ?? '').length));
      c.width = Math.min(40, Math.max(10, widest * 2));
    });
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
