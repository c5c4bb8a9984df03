/**
 * The key a client is rate-limited under. Cloudflare sets CF-Connecting-IP; the limiter
 * only needs a stable key, so it gets a hash, and the address itself is never kept.
 */
export async function clientKey(request: Request): Promise<string> {
  const address = clientAddressKey(request.headers.get("CF-Connecting-IP") ?? "local");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`natter-client:${address}`));
  return [...new Uint8Array(digest, 0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What identifies one client: an IPv4 address whole, an IPv6 address by its /64. One
 * IPv6 subscriber usually holds a whole /64 (often much more) and may use any address in
 * it, so keying on the full address would give one client 2^64 budgets. IPv4-mapped IPv6
 * addresses count as the IPv4 address. Anything unparsable is keyed as given.
 */
export function clientAddressKey(address: string): string {
  const trimmed = address.trim().toLowerCase();
  if (!trimmed.includes(":")) return trimmed;
  const groups = expandIPv6(trimmed);
  if (!groups) return trimmed;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join(".");
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (with `::` and a dotted IPv4 tail), or null. */
function expandIPv6(address: string): number[] | null {
  let text = address.replace(/%.*$/, "");
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const bytes = tail.slice(1).map(Number);
    if (bytes.some((b) => b > 255)) return null;
    text = `${text.slice(0, tail.index)}${((bytes[0]! << 8) | bytes[1]!).toString(16)}:${((bytes[2]! << 8) | bytes[3]!).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => Number.parseInt(g, 16));
}
