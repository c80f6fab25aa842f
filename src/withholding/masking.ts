/** `张三丰` → `张*丰`, `张三` → `张*`: first and last character kept (CONTRACT §4). */
export function maskName(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

/** `6222021234567890123` → `6222***********0123`; under 12 digits only the last 4 stay, after one `*`. */
export function maskAccountNo(accountNo: string): string {
  if (accountNo.length >= 12) return `${accountNo.slice(0, 4)}${'*'.repeat(accountNo.length - 8)}${accountNo.slice(-4)}`;
  return `*${accountNo.slice(-4)}`;
}
