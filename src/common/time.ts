const fmt = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The business date (YYYY-MM-DD, Asia/Shanghai) of an instant. */
export function businessDate(at: Date = new Date()): string {
  return fmt.format(at);
}
