/** IPv4 CIDR arithmetic used by config validation and subnet layout. Pure functions, no AWS. */

export interface Cidr {
  readonly text: string;
  readonly base: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns an error message instead of throwing so callers can attribute it. */
export function parseCidr(text: string): Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return `"${text}" is not an IPv4 CIDR block (a.b.c.d/n)`;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return `"${text}" is not an IPv4 CIDR block (a.b.c.d/n)`;
  const base = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  if ((base & mask(prefix)) >>> 0 !== base) {
    return `"${text}" has host bits set; the network address is ${format(base & mask(prefix), prefix)}`;
  }
  return { text, base, prefix };
}

export function mustParseCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

function format(base: number, prefix: number): string {
  return `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

/** Terraform's cidrsubnet(): the `index`-th block of `prefix + newBits` inside `parent`. */
export function cidrSubnet(parent: Cidr, newBits: number, index: number): string {
  const prefix = parent.prefix + newBits;
  if (prefix > 32 || index < 0 || index >= 2 ** newBits) {
    throw new Error(`cannot take subnet ${index} of /${prefix} inside ${parent.text}`);
  }
  return format(parent.base + index * 2 ** (32 - prefix), prefix);
}
