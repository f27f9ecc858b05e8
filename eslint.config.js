// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layers and the direction of their arrows (see ARCHITECTURE.md):
 *
 *   cli ──▶ supervisor ──▶ stream, actors, store, tls, domains, workers/protocol
 *                 workers ──▶ proxy, tls, domains, workers/protocol
 *
 * Worker-side code never reaches the supervisor's layers, actors know nothing
 * of RxJS or threads, and only the CLI reads argv or exits.
 */
const layer = (files, forbidden, extra = {}) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: forbidden.map(({ group, message }) => ({ group, message })),
        ...extra,
      },
    ],
  },
});

const notSupervisorSide = [
  { group: ['**/actors/**', '**/actors'], message: 'Worker-side code must not import actors.' },
  { group: ['**/stream/**', '**/stream'], message: 'Worker-side code must not import the RxJS stream layer.' },
  { group: ['**/supervisor/**', '**/supervisor'], message: 'Worker-side code must not import the supervisor.' },
  { group: ['**/store/**', '**/store'], message: 'Worker-side code must not import the jar store.' },
  { group: ['rxjs', 'rxjs/*'], message: 'Worker-side code does not use RxJS.' },
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'bench/node_modules/**', 'bench/results/**', 'dist/**', 'extension/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'Only src/cli exits the process.' },
        { object: 'process', property: 'argv', message: 'Only src/cli reads argv.' },
      ],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  // The dashboard's browser code: TypeScript checks its names against the DOM's
  // types (src/dashboard/tsconfig.json), which no-undef cannot know of.
  { files: ['src/dashboard/**/*.js'], rules: { 'no-undef': 'off' } },
  layer(['src/workers/**', 'src/proxy/**'], notSupervisorSide),
  layer(['src/tls/**', 'src/domains/**'], [
    ...notSupervisorSide,
    { group: ['**/proxy/**', '**/workers/**'], message: 'tls and domains are leaf libraries.' },
  ]),
  layer(['src/actors/**', 'src/store/**'], [
    { group: ['rxjs', 'rxjs/*'], message: 'Actors know nothing of RxJS.' },
    { group: ['**/stream/**', '**/supervisor/**', '**/workers/**', '**/proxy/**'], message: 'Actors know nothing of streams, threads or the supervisor.' },
  ], { paths: [{ name: 'node:worker_threads', message: 'Actors know nothing of threads.' }] }),
  layer(['src/stream/**'], [
    { group: ['**/actors/**', '**/supervisor/**', '**/proxy/**', '**/store/**'], message: 'The stream layer only knows events and domains.' },
  ]),
  {
    files: ['src/cli.ts', 'src/cli/**', 'bench/**', 'test/**', 'bin/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
