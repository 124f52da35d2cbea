/**
 * The module boundaries, checked by `npm run lint:deps` (part of `npm run check` and CI):
 * dependencies point down (transports -> modules -> db, zendesk, lib), no import cycles, the web
 * UI and the emulator share no code with the server. Tests may reach across layers to set things up.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const TESTS = '(\\.test\\.tsx?$|^src/test-deps\\.ts$|^src/db/test-db\\.ts$|test-(data|helpers)\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'An import cycle ties modules together so that neither can change or load alone. Lazy imports (code splitting) are not cycles.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['dynamic-import'] } },
    },
    {
      name: 'lib-imports-no-module',
      severity: 'error',
      comment: 'src/lib holds domain-free helpers: it imports nothing else of ours.',
      from: { path: '^src/lib/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'config-imports-no-module',
      severity: 'error',
      comment: 'The configuration is read before anything else is built: it imports only lib.',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'observability-imports-no-module',
      severity: 'error',
      comment: 'Metrics are told what to read (main.ts wires the readings); they import no module, route or job.',
      from: { path: '^src/observability/', pathNot: TESTS },
      to: { path: '^src/(modules|http|jobs|cli)/' },
    },
    {
      name: 'storage-and-client-below-modules',
      severity: 'error',
      comment: 'The database port and the Zendesk client know nothing of the domain above them.',
      from: { path: '^src/(db|zendesk)/', pathNot: TESTS },
      to: { path: '^src/(modules|http|jobs|cli|observability)/' },
    },
    {
      name: 'modules-below-transports',
      severity: 'error',
      comment: 'The domain modules are called by HTTP routes, jobs and the CLI, never the other way.',
      from: { path: '^src/modules/', pathNot: TESTS },
      to: { path: '^src/(http|jobs|cli)/|^src/main\\.ts$' },
    },
    {
      name: 'jobs-and-http-apart',
      severity: 'error',
      comment: 'Jobs and HTTP routes are two transports over the same modules.',
      from: { path: '^src/(jobs|http)/', pathNot: TESTS },
      to: { path: '^src/cli/' },
    },
    {
      name: 'product-not-on-tests',
      severity: 'error',
      comment: 'Product code never imports tests, benchmarks, scripts or the emulator.',
      from: { path: '^src/', pathNot: TESTS },
      to: { path: '^(test|bench|scripts|emulator)/' },
    },
    {
      name: 'emulator-shares-no-code',
      severity: 'error',
      comment: 'The emulator is written from Zendesk documentation, independently of our client: a shared schema would make a wrong field wrong in both.',
      from: { path: '^emulator/' },
      to: { path: '^(src|web)/' },
    },
    {
      name: 'contracts-import-only-contracts',
      severity: 'error',
      comment: 'The API contracts are shared with the web UI: they hold zod schemas over the shared vocabulary, and nothing of the server.',
      from: { path: '^src/contracts/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/contracts/' },
    },
    {
      name: 'web-imports-no-server-code',
      severity: 'error',
      comment: 'The web UI talks to the server over HTTP only (it may share the API contracts, src/contracts).',
      from: { path: '^web/', pathNot: TESTS },
      to: { path: '^src/', pathNot: '^src/contracts/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/|^web/dist/' },
  },
};
