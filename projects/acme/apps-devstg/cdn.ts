import { defineLayer } from '../../../lib/config';
import { Cdn } from '../../../layers/cdn';

/** Development front end: same shape as prd, cheaper price class, localhost allowed as a Cognito callback. */
export default defineLayer(Cdn, {
  domainNames: ['app.devstg.acme.example.com'],
  contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; connect-src 'self' https://*.amazoncognito.com; frame-ancestors 'none'",
  // The API host is the serverless layer's custom domain (api.<zone>), derived from its config.
  apiOrigin: { layer: 'serverless', pathPattern: '/api/*' },
  // The classic web application behind /app/*: the multi-tier layer's web ALB (web.devstg.acme.example.com).
  appOrigin: { layer: 'multi-tier', pathPatterns: ['/app/*'] },
  waf: { rateLimit: 1000 },
  logRetentionDays: 90,
  auth: {
    callbackUrls: ['https://app.devstg.acme.example.com/callback', 'http://localhost:3000/callback'],
    logoutUrls: ['https://app.devstg.acme.example.com/', 'http://localhost:3000/'],
  },
});
