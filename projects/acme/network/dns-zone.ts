import { defineLayer } from '../../../lib/config';
import { DnsZone } from '../../../layers/dns-zone';

/** Sub-zone of this account (the client VPN's certificate is validated here); the shared account's dns layer delegates it. */
export default defineLayer(DnsZone, { zoneName: 'network.acme.example.com' });
