import { cidrSubnet, contains, mustParseCidr, overlaps, parseCidr } from '../../lib/cidr';
import { defaultSubnetLayout } from '../../modules/vpc';

describe('cidr', () => {
  it('parses and refuses malformed blocks', () => {
    expect(parseCidr('10.0.0.0/16')).toMatchObject({ prefix: 16 });
    expect(parseCidr('10.0.0/16')).toMatch(/not an IPv4 CIDR/);
    expect(parseCidr('10.0.0.300/16')).toMatch(/not an IPv4 CIDR/);
    expect(parseCidr('10.0.0.1/16')).toMatch(/host bits set; the network address is 10.0.0.0\/16/);
  });

  it('detects overlap and containment', () => {
    expect(overlaps(mustParseCidr('10.0.0.0/16'), mustParseCidr('10.0.128.0/17'))).toBe(true);
    expect(overlaps(mustParseCidr('10.0.0.0/16'), mustParseCidr('10.1.0.0/16'))).toBe(false);
    expect(contains(mustParseCidr('10.0.0.0/16'), mustParseCidr('10.0.4.0/24'))).toBe(true);
    expect(contains(mustParseCidr('10.0.0.0/16'), mustParseCidr('10.1.4.0/24'))).toBe(false);
    expect(contains(mustParseCidr('10.0.4.0/24'), mustParseCidr('10.0.0.0/16'))).toBe(false);
  });

  it('computes subnets like terraform cidrsubnet()', () => {
    expect(cidrSubnet(mustParseCidr('10.0.0.0/16'), 8, 2)).toBe('10.0.2.0/24');
    expect(cidrSubnet(mustParseCidr('10.0.0.0/16'), 3, 1)).toBe('10.0.32.0/19');
    expect(() => cidrSubnet(mustParseCidr('10.0.0.0/16'), 8, 256)).toThrow(/cannot take subnet/);
  });

  it('lays out three non-overlapping tiers inside the VPC', () => {
    const vpc = mustParseCidr('10.30.0.0/16');
    const layout = defaultSubnetLayout(vpc, 3);
    expect(layout.private).toEqual(['10.30.0.0/19', '10.30.32.0/19', '10.30.64.0/19']);
    expect(layout.public).toEqual(['10.30.128.0/22', '10.30.132.0/22', '10.30.136.0/22']);
    expect(layout.database).toEqual(['10.30.160.0/22', '10.30.164.0/22', '10.30.168.0/22']);
    const all = [...layout.private, ...layout.public, ...layout.database].map(mustParseCidr);
    for (const [i, a] of all.entries()) {
      expect(contains(vpc, a)).toBe(true);
      for (const b of all.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
    }
  });
});
