// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layer fences. A later `no-restricted-imports` block replaces an earlier one for the same
// files, so each zone below gets one block with every pattern that applies to it, and the
// zones do not overlap. test/unit/lint/layers.test.ts checks that the fences fire.
const CORE = 'The pure core (opencast/, distribution/, contract/, digest/)';
const amqplib = { regex: '^amqplib(/.*)?$', message: 'amqplib belongs in src/messaging/.' };
const awsSdk = { regex: '^@aws-sdk/', message: '@aws-sdk belongs in src/storage/.' };
const frameworks = {
  regex: '^(hono|@hono/.+|@redis/.+|pino|prom-client|s3rver)(/.*)?$',
  message: `${CORE} uses no framework or I/O library; define a port and let an adapter implement it.`,
};
const nodeIo = {
  regex: '^(node:)?(fs|net|http|https|http2|child_process|dgram|dns|tls)(/.*)?$',
  message: `${CORE} does no I/O; define a port and let an adapter implement it.`,
};
const adapters = {
  regex: '^(\\.\\./)+(http|messaging|storage|sources|worker|jobs|compose)(/|$)',
  message: `${CORE} must not import an adapter: adapters depend on the core, not the other way.`,
};
const compositionRoot = {
  regex: '^(\\.\\./)+(service|main|config|metrics)\\.js$',
  message: `${CORE} must not import the composition root, config or metrics; pass values in.`,
};
const xmlParser = {
  regex: '^fast-xml-parser(/.*)?$',
  message: 'fast-xml-parser belongs in src/opencast/ (the pure XML modules).',
};
const distribution = {
  regex: '^(\\.\\./)+distribution(/|$)',
  message: 'src/opencast/ is the innermost layer: it must not import src/distribution/.',
};
const coreFences = [amqplib, awsSdk, frameworks, nodeIo, adapters, compositionRoot];

/**
 * @param {string[]} files
 * @param {Array<{ regex: string, message: string }>} patterns
 * @param {string[]} [ignores]
 */
function fence(files, patterns, ignores = []) {
  return { files, ignores, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

const layerFences = [
  fence(['src/opencast/**/*.ts'], [...coreFences, distribution]),
  fence(
    ['src/distribution/**/*.ts', 'src/contract/**/*.ts', 'src/digest/**/*.ts'],
    [...coreFences, xmlParser],
  ),
  fence(['src/messaging/**/*.ts'], [awsSdk]),
  fence(['src/storage/**/*.ts'], [amqplib]),
  fence(
    ['src/**/*.ts'],
    [amqplib, awsSdk],
    [
      'src/opencast/**',
      'src/distribution/**',
      'src/contract/**',
      'src/digest/**',
      'src/messaging/**',
      'src/storage/**',
    ],
  ),
];

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
  ...layerFences,
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
