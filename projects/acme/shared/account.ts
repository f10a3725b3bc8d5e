import { defineAccount } from '../../../lib/config';

export default defineAccount({
  id: '333333333333',
  email: 'aws+shared@acme.example.com',
  environment: 'shared',
});
