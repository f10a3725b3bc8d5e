import { defineLayer } from '../../../lib/config';
import { Cdn } from '../../../layers/cdn';

/** Production front end: apex-style app name plus www, wider price class, user pool deletion-protected. */
export default defineLayer(Cdn, {
  domainNames: ['app.prd.acme.example.com', 'www.prd.acme.example.com'],
  contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; connect-src 'self' https://*.amazoncognito.com; frame-ancestors 'none'",
  priceClass: 'PriceClass_200',
  apiOrigin: { domainName: 'api.prd.acme.example.com', pathPattern: '/api/*' },
  waf: { rateLimit: 2000 },
  logRetentionDays: 365,
  auth: {
    domainPrefix: 'acme-prd',
    callbackUrls: ['https://app.prd.acme.example.com/callback'],
    logoutUrls: ['https://app.prd.acme.example.com/'],
  },
});
