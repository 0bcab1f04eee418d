import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['.dependency-cruiser.cjs', 'node_modules/', 'data/', 'dist/', 'ui/dist/', 'coverage/', 'test-artifacts/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          // Feature code takes configuration from the composition root (STYLE.md 9).
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read environment variables only in src/runtime/config (STYLE.md 9).',
        },
      ],
    },
  },
  {
    files: ['src/runtime/config/**', 'bench/**', 'test/**', 'sandbox/cli.ts', '**/*.test.ts', 'bin/**', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
