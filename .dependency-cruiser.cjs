// The allowed imports between openivs's folders (ARCHITECTURE.md, "Allowed imports"), checked by dependency-cruiser
// in `npm run lint`. Each rule's name says what is forbidden and its comment says why; a wrong import fails with both.
// Type-only imports count (tsPreCompilationDeps): a type is a dependency of the design even when tsc erases it.

/** Media folders and the media folders each may import (besides itself and src/media/types.ts): the media layers. */
const MEDIA_LAYERS = {
  ingest: [],
  package: [],
  'stream-sessions': [],
  transcode: ['ingest'],
  registry: ['ingest', 'package', 'transcode', 'stream-sessions'],
  'publish-authorization': ['ingest', 'registry', 'stream-sessions'],
  deliver: ['package', 'registry'],
  record: ['package', 'registry', 'transcode', 'stream-sessions'],
};

const mediaRules = Object.entries(MEDIA_LAYERS).map(([folder, allowed]) => ({
  name: `media-${folder}-imports-only-${allowed.length === 0 ? 'itself' : allowed.join('-')}`,
  comment:
    `src/media/${folder} may import, of src/media, only ${[folder, ...allowed].map((f) => `${f}/`).join(', ')} and types.ts. ` +
    'The media plane is layered: ingest, package and stream-sessions import no other media folder; transcode builds ' +
    'on ingest; registry on those four; publish-authorization, deliver and record on the registry. An import against ' +
    'the layers ties a lower stage to a higher one: a cycle waiting to happen.',
  severity: 'error',
  from: { path: `^src/media/${folder}/` },
  to: { path: '^src/media/', pathNot: `^src/media/(${[folder, ...allowed].join('|')})/|^src/media/types\\.ts$` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'A cycle between modules: each needs the other loaded first, and neither can be understood or tested alone. ' +
        'Move what both need into a module both import (as src/http-types.ts is for src/http and src/media/deliver).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'api-not-to-media',
      comment:
        'src/api (the control plane) must not import src/media (the data plane): the two meet only through the ports ' +
        'in src/domain/ports.ts (LiveControl, StreamSessions), wired in src/app.ts, so either can change or move to ' +
        'another node without the other.',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/media/' },
    },
    {
      name: 'media-not-to-api',
      comment:
        'src/media (the data plane) must not import src/api (the control plane): the media path never waits on an API ' +
        'request; the planes meet only through the ports in src/domain/ports.ts, wired in src/app.ts.',
      severity: 'error',
      from: { path: '^src/media/' },
      to: { path: '^src/api/' },
    },
    {
      name: 'domain-imports-nothing-of-src',
      comment:
        'src/domain holds pure IVS rules and the ports between the planes; it imports nothing else from src ' +
        '(not storage, events, media or api), so any plane can use it without pulling infrastructure in.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'storage-imports-only-domain',
      comment:
        'src/storage implements the Store port that the planes use; it may import only src/domain (resource types, ' +
        'scopes) and the logger (the PostgreSQL pool reports connection loss). Anything else would make the store ' +
        'depend on its own users.',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: '^src/', pathNot: '^src/(storage|domain)/|^src/logging\\.ts$' },
    },
    {
      name: 'cluster-imports-only-storage-domain',
      comment:
        'src/cluster (node id, heartbeats, cluster-secret signing, the node-to-node endpoints) sits beside the store: ' +
        'it may use storage, domain and logging; the planes and the transport reach it through ports wired in ' +
        'src/app.ts, so it never imports api, media, http, events or the config loader.',
      severity: 'error',
      from: { path: '^src/cluster/' },
      to: { path: '^src/', pathNot: '^src/(cluster|storage|domain)/|^src/(logging|http-types)\\.ts$|^src/config/types\\.ts$' },
    },
    {
      name: 'events-not-to-planes',
      comment:
        'src/events (outbox, dispatcher, sinks) sits below both planes: it may use storage, domain and logging, never ' +
        'api, media, http or the composition root, which all write events through it.',
      severity: 'error',
      from: { path: '^src/events/' },
      to: { path: '^src/(api|media|http|config)/|^src/(app|main)\\.ts$' },
    },
    {
      name: 'only-main-imports-app',
      comment:
        'src/app.ts is the composition root: it builds and wires everything, so nothing in src may import it but ' +
        'src/main.ts (tests and benchmarks may).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main\\.ts$' },
      to: { path: '^src/app\\.ts$' },
    },
    {
      name: 'nothing-imports-main',
      comment: 'src/main.ts is the command line entry point; nothing imports it.',
      severity: 'error',
      from: {},
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'http-only-from-app',
      comment:
        'src/http adapts sockets to the API pipeline and to playback; only src/app.ts builds it. The planes do not ' +
        'import it (the node request/response types they share are in src/http-types.ts).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(http/|app\\.ts$)' },
      to: { path: '^src/http/' },
    },
    {
      name: 'http-not-past-the-api-and-playback',
      comment:
        'src/http is the transport: it hands requests to the API pipeline (src/api) and to playback ' +
        '(src/media/deliver), and reaches nothing deeper (not storage, events, or the other media folders); state it ' +
        'needs comes through those two or through a port wired in src/app.ts.',
      severity: 'error',
      from: { path: '^src/http/', pathNot: '^src/http/player/browser/' },
      to: { path: '^src/(storage|events)/|^src/media/', pathNot: '^src/media/deliver/' },
    },
    {
      name: 'config-loader-only-from-main-and-app',
      comment:
        'Only src/main.ts and src/app.ts load configuration (src/config/index.ts and its sources); every other module ' +
        'receives typed values and may import only their shapes, src/config/types.ts.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/config/|^src/(app|main)\\.ts$' },
      to: { path: '^src/config/', pathNot: '^src/config/types\\.ts$' },
    },
    {
      name: 'config-imports-only-config',
      comment: 'src/config reads flags, environment and files into a Config; it depends on no other part of openivs.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/config/' },
    },
    ...mediaRules,
    {
      name: 'browser-code-imports-only-browser-code',
      comment:
        'src/http/player/browser runs in the browser (built by scripts/build-browser.mjs): it may import neither ' +
        'server modules nor node builtins, only its own folder and browser packages (types of hls.js).',
      severity: 'error',
      from: { path: '^src/http/player/browser/' },
      to: { pathNot: '^src/http/player/browser/|node_modules/hls\\.js/' },
    },
    {
      name: 'server-not-to-browser-code',
      comment: 'src/http/player/browser is bundled for the browser; the server serves its build and never imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/http/player/browser/' },
      to: { path: '^src/http/player/browser/' },
    },
    {
      name: 'console-api-only-from-app',
      comment:
        'src/console-api (the console page and its /_openivs/ routes) is wired by src/app.ts as an HttpRoute; nothing ' +
        'else imports it, so the planes never depend on the console.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(console-api/|app\\.ts$)' },
      to: { path: '^src/console-api/' },
    },
    {
      name: 'console-api-not-to-live-media',
      comment:
        'src/console-api reads live state only through its ports (console-api/ports.ts, wired in src/app.ts); of the ' +
        'media plane it may import only src/media/record (the recording key layout and local files), and not the ' +
        'transport or the composition root.',
      severity: 'error',
      from: { path: '^src/console-api/' },
      to: { path: '^src/media/|^src/http/|^src/(app|main)\\.ts$', pathNot: '^src/media/record/|^src/media/types\\.ts$' },
    },
    {
      name: 'metrics-only-from-app',
      comment:
        'src/metrics is wired by src/app.ts: the hot paths see only their observer ports (plain interfaces in their own ' +
        'folders), never the metrics folder or prom-client, so metrics can be off or replaced without touching them.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(metrics/|app\\.ts$)' },
      to: { path: '^src/metrics/' },
    },
    {
      name: 'metrics-through-ports',
      comment:
        'src/metrics reads figures through the small ports it declares (wired in src/app.ts); it imports no plane, ' +
        'so a metric cannot reach into a stream or a queue and change it.',
      severity: 'error',
      from: { path: '^src/metrics/' },
      to: {
        path: '^src/(api|media|storage|events|http|console-api|config)/|^src/(app|main)\\.ts$',
        pathNot: '^src/config/types\\.ts$',
      },
    },
    {
      name: 'src-not-to-tests-or-benchmarks',
      comment: 'The server never depends on test/, bench/ or devtools/: they are not shipped.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench|devtools)/' },
    },
    {
      name: 'src-not-to-dev-dependencies',
      comment:
        'A devDependency is missing where openivs is installed without dev packages, so src may use one only for its ' +
        'types (erased at build, e.g. @aws-sdk/client-ivs for the operation types).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/http/player/browser/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-orphans-in-src',
      comment:
        'A module in src that nothing imports is dead code (or a barrel nobody uses): delete it, or import it where ' +
        'it belongs. Entry points are exempt: src/main.ts and the browser script.',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: ['^src/main\\.ts$', '^src/http/player/browser/player\\.ts$', '\\.d\\.ts$'] },
      to: {},
    },
    {
      name: 'no-unresolvable-imports',
      comment: 'An import that resolves to nothing: a typo, a moved file, or a package missing from package.json.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'bench-not-to-test',
      comment:
        'Benchmarks must not import test helpers, which change with the tests; code both need (starting openivs, ' +
        'S3, Chromium, reading media back) belongs in devtools/, which both may import.',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^test/' },
    },
    {
      name: 'devtools-not-to-test-or-bench',
      comment:
        'devtools/ is what the tests and the benchmarks share; importing either would tie the other to it. It starts ' +
        'the server as a process (dist/src/main.js), so it imports nothing of src/ either.',
      severity: 'error',
      from: { path: '^devtools/' },
      to: { path: '^(test|bench|src)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.d.ts', '.js', '.mjs', '.cjs'],
    },
  },
};
