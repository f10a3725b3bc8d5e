import { defineLayer } from '../../../lib/config';
import { DnsAssociation } from '../../../layers/dns-association';

/** Resolves the shared account's private zones (acme.internal) from this account's VPC; the dns layer authorises it. */
export default defineLayer(DnsAssociation, {});
