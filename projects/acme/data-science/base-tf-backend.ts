import { defineLayer } from '../../../lib/config';
import { BaseTfBackend } from '../../../layers/base-tf-backend';

export default defineLayer(BaseTfBackend, {});
