import { defineLayer } from '../../../lib/config';
import { PENDING_CHAT_ID, Security } from '../../../layers/security';

export default defineLayer(Security, {
  notificationEmails: ['platform-alerts@acme.example.com'],
  // Production alarms also go to Slack, ids pending until the workspace is authorised in this account (see security/security.ts).
  chat: { slack: { workspaceId: PENDING_CHAT_ID, channelId: PENDING_CHAT_ID } },
});
