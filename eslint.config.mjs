import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const BARREL = '/^@cdktf\\u002Fprovider-aws(\\u002Flib(\\u002Findex)?)?$/';
const DEEP_PATH = 'Import the class by deep path (@cdktf/provider-aws/lib/<resource>): the barrel costs ~3.7 s and 0.5 GB per process.';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdktf.out/**', '.sandbox/**', 'coverage/**', '**/*.js', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [
          { name: '@cdktf/provider-aws', message: 'Import the class by deep path (@cdktf/provider-aws/lib/<resource>): the barrel costs ~3.7 s and 0.5 GB per process.' },
          { name: '@cdktf/provider-aws/lib', message: 'Import the class by deep path (@cdktf/provider-aws/lib/<resource>).' },
          { name: '@cdktf/provider-aws/lib/index', message: 'Import the class by deep path (@cdktf/provider-aws/lib/<resource>).' },
        ],
      }],
      // no-restricted-imports sees import and export declarations only; require() and import() load the barrel as well.
      'no-restricted-syntax': ['error',
        { selector: `CallExpression[callee.name='require'] > Literal.arguments[value=${BARREL}]`, message: DEEP_PATH },
        { selector: `ImportExpression > Literal.source[value=${BARREL}]`, message: DEEP_PATH },
      ],
    },
  },
);
