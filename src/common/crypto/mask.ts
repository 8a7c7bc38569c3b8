/** `500101199001011234` → `5001**********1234`: the first four and last four characters stay. */
export function maskIdNumber(id: string): string {
  if (id.length <= 8) {
    return '*'.repeat(id.length);
  }
  return id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}

/** `13800138000` → `138****8000`. */
export function maskPhone(phone: string): string {
  if (phone.length < 7) {
    return '*'.repeat(phone.length);
  }
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}

/** `6222020200112233445` → `***************3445`: only the last four digits stay. */
export function maskBankAccount(account: string): string {
  return account.length <= 4
    ? '*'.repeat(account.length)
    : '*'.repeat(account.length - 4) + account.slice(-4);
}

/** `张三丰` → `张**`: the family name stays, as on public notices. */
export function maskName(name: string): string {
  const chars = Array.from(name);
  return chars.length <= 1 ? name : chars[0] + '*'.repeat(chars.length - 1);
}
