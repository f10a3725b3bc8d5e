import { defineLayer } from '../../../lib/config';
import { PENDING_CHAT_ID, Security } from '../../../layers/security';

export default defineLayer(Security, {
  // The notifications topic also goes to Slack. acme is an example with no Slack workspace authorised in its accounts,
  // so the ids are pending: the sandbox plans the channel with offline ids and a real synth leaves it out until the
  // workspace is authorised in this account's Chatbot console and the ids are written here (docs/governance.md).
  chat: { slack: { workspaceId: PENDING_CHAT_ID, channelId: PENDING_CHAT_ID } },
});
