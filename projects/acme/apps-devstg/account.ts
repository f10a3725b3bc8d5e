import { defineAccount } from '../../../lib/config';

export default defineAccount({
  id: '555555555555',
  email: 'aws+apps-devstg@acme.example.com',
  environment: 'devstg',
});
