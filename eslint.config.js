// Lint: the recommended rules of ESLint and typescript-eslint, plus the few that catch real bugs in
// async server code (a floating promise loses its error; a misused one runs out of order).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const QUERY_CAST = {
  selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query'][typeArguments]",
  message: 'query<Row>() casts what the database answered: parse the rows instead (queryRows, queryFirst or queryOne of src/db/rows.ts).',
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'web/dist/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  // Rows are parsed, not cast: `query<Row>()` only asserts what the database answered. The port
  // itself and the job library's adapter pass rows through untyped; tests may cast. (The rule
  // below repeats this selector: a later no-restricted-syntax replaces an earlier one.)
  {
    files: ['src/**/*.ts'],
    ignores: [
      '**/*.test.ts',
      '**/*-test-data.ts',
      '**/*test-helpers.ts',
      'src/db/pglite-db.ts',
      'src/db/postgres-db.ts',
      'src/jobs/queue.ts',
      'src/jobs/pg-boss-db.ts',
    ],
    rules: { 'no-restricted-syntax': ['error', QUERY_CAST] },
  },
  // SQL only in repositories: product code reaches the database through src/db and the `*.repo.ts`
  // files (and the few files whose one job is storage), which parse the rows they answer
  // (src/db/rows.ts); a query anywhere else is a cast of what the database said, and SQL scattered
  // over services and routes. Tests and their fixtures may query directly.
  {
    files: ['src/**/*.ts'],
    ignores: [
      'src/db/**',
      '**/*.repo.ts',
      '**/*.test.ts',
      '**/*-test-data.ts',
      '**/*test-helpers.ts',
      // Files whose single job is storage.
      'src/modules/ingest/delivery-store.ts',
      'src/modules/ingest/escalation-rule.ts',
      'src/modules/users/sign-in-throttle.ts',
      'src/modules/connections/request-pacer.ts',
      'src/modules/connections/sealed-columns.ts',
      'src/modules/metrics/sla-targets.ts',
      // The job library's adapter onto the storage port.
      'src/jobs/queue.ts',
      'src/jobs/pg-boss-db.ts',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.type='MemberExpression'][callee.property.name='query']",
          message: 'SQL belongs in a repository (*.repo.ts or src/db): call a repository function, which parses its rows with src/db/rows.ts.',
        },
        QUERY_CAST,
      ],
    },
  },
  // CommonJS configuration files (dependency-cruiser reads .dependency-cruiser.cjs).
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
);
