import { defineAccount } from '../../../lib/config';

export default defineAccount({
  id: '777777777777',
  email: 'aws+data-science@acme.example.com',
  environment: 'data',
});
