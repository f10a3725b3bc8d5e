import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    },
  },
);
