/**
 * ARCHITECTURE.md's dependency rule, checked mechanically by `npm run depcheck`
 * (part of `npm test`).
 */
const feature = '(sync|connections|credentials|webhooks|ratelimit|notifications|observability|queues)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'Circular imports hide layering mistakes.', from: {}, to: { circular: true } },
    {
      name: 'pure-core',
      severity: 'error',
      comment: 'domain, mapping and dedup import nothing of ours but domain (and themselves).',
      from: { path: '^src/(domain|mapping|dedup)/' },
      to: { path: '^src/', pathNot: ['^src/domain/', '^src/$1/'] },
    },
    {
      name: 'domain-is-a-leaf',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'only-runtime-knows-backends',
      severity: 'error',
      comment: 'Only the composition root (runtime/) chooses a backend.',
      from: { path: '^src/', pathNot: ['^src/runtime/', '^src/backends/', '^src/azure-functions/'] },
      to: { path: '^src/backends/' },
    },
    {
      name: 'nothing-imports-runtime',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/runtime/', '^src/azure-functions/'] },
      to: { path: '^src/runtime/' },
    },
    {
      name: 'features-use-public-index',
      severity: 'error',
      comment: 'A feature folder reaches another only through its index.ts.',
      from: { path: `^src/${feature}/` },
      to: { path: `^src/(?!$1/)${feature}/`, pathNot: `^src/${feature}/index\\.ts$` },
    },
    {
      name: 'providers-are-independent',
      severity: 'error',
      from: { path: '^src/providers/([^/]+)/' },
      to: { path: '^src/providers/([^/]+)/', pathNot: '^src/providers/$1/' },
    },
    {
      name: 'providers-touch-no-store',
      severity: 'error',
      comment: 'A provider never imports a store, the queue or a feature (STYLE.md 14). Its tests may use the real HTTP client.',
      from: { path: '^src/providers/', pathNot: '\\.test\\.ts$' },
      to: { path: `^src/(ports|backends|${feature})/` },
    },
    {
      name: 'src-does-not-import-sandbox-or-tests',
      severity: 'error',
      comment: 'The product ships without its test harness; only runtime/ may start the sandbox for the demo.',
      from: { path: '^src/', pathNot: ['^src/runtime/', '\\.test\\.ts$'] },
      to: { path: '^(sandbox|test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)node_modules/' },
  },
};
