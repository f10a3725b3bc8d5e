import { defineAccount } from '../../../lib/config';

export default defineAccount({
  id: '222222222222',
  email: 'aws+security@acme.example.com',
  environment: 'security',
});
