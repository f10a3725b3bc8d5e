import { defineAccount } from '../../../lib/config';

export default defineAccount({
  id: '444444444444',
  email: 'aws+network@acme.example.com',
  environment: 'network',
});
