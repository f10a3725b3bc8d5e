import { defineAccount } from '../../../lib/config';

export default defineAccount({
  id: '111111111111',
  email: 'aws+management@acme.example.com',
  environment: 'management',
});
