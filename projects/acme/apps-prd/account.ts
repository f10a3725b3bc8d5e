import { defineAccount } from '../../../lib/config';

export default defineAccount({
  id: '666666666666',
  email: 'aws+apps-prd@acme.example.com',
  environment: 'prd',
});
