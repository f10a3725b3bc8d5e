import { defineLayer } from '../../../lib/config';
import { Cdn } from '../../../layers/cdn';

/** Production front end: apex-style app name plus www, wider price class, user pool deletion-protected. */
export default defineLayer(Cdn, {
  domainNames: ['app.prd.acme.example.com', 'www.prd.acme.example.com'],
  contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; connect-src 'self' https://*.amazoncognito.com; frame-ancestors 'none'",
  priceClass: 'PriceClass_200',
  // The API host is the serverless layer's custom domain (api.<zone>), derived from its config.
  apiOrigin: { layer: 'serverless', pathPattern: '/api/*' },
  // The classic web application behind /app/*: the dr layer's failover name (origin.prd.acme.example.com), which
  // Route 53 answers with the multi-tier web ALB, or the DR ALB in us-west-2 when its health check fails.
  appOrigin: { layer: 'dr', pathPatterns: ['/app/*'] },
  waf: { rateLimit: 2000 },
  logRetentionDays: 365,
  auth: {
    callbackUrls: ['https://app.prd.acme.example.com/callback'],
    logoutUrls: ['https://app.prd.acme.example.com/'],
  },
});
