import { defineLayer } from '../../../lib/config';
import { DnsZone } from '../../../layers/dns-zone';

/** Sub-zone of this account; the shared account's dns layer delegates it from acme.example.com. */
export default defineLayer(DnsZone, { zoneName: 'prd.acme.example.com' });
