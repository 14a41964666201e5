// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Keep each I/O library inside its adapter folder.
    files: ['src/**/*.ts'],
    ignores: ['src/messaging/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'amqplib', message: 'amqplib belongs in src/messaging/.' }] },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/storage/**', 'src/messaging/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'amqplib', message: 'amqplib belongs in src/messaging/.' }],
          patterns: [{ group: ['@aws-sdk/*'], message: '@aws-sdk belongs in src/storage/.' }],
        },
      ],
    },
  },
  {
    files: ['src/messaging/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['@aws-sdk/*'], message: '@aws-sdk belongs in src/storage/.' }],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
