// Lint, including the layering rule of the architecture note: the core folders know nothing of Electron,
// HTTP or the DOM; each third-party library lives behind one folder; the renderer talks only to the API.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const core = [
  'src/dicom',
  'src/inference',
  'src/dataset',
  'src/export',
  'src/sample',
  'src/pacs',
  'src/metrics',
  'src/followup',
  'src/segment',
];

/** Libraries that only one folder may import, so swapping one touches one folder. */
const owners = [
  {
    names: ['dicom-parser', 'dcmjs', '@cornerstonejs/codec-*', '@cornerstonejs/jpeg-lossless-decoder-js'],
    folder: 'src/dicom',
  },
  { names: ['onnxruntime-node'], folder: 'src/inference' },
  { names: ['better-sqlite3'], folder: 'src/dataset' },
  { names: ['cornerstone-core'], folder: 'renderer/viewport' },
  { names: ['electron'], folder: 'src/main' },
  { names: ['hono', 'hono/*', '@hono/*'], folder: 'src/api' },
];

function restricted(files, extraPatterns) {
  return {
    files: [`${files}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { patterns: extraPatterns }],
    },
  };
}

function libraryPatterns(folder) {
  return owners
    .filter((o) => !folder.startsWith(o.folder))
    .map((o) => ({
      group: o.names,
      message: `only ${o.folder}/ may import this library (architecture note)`,
    }));
}

const layerBlocks = [
  ...core.map((folder) =>
    restricted(folder, [
      ...libraryPatterns(folder),
      {
        group: ['**/api/**', '**/main/**', '**/cli/**', '**/renderer/**'],
        message: 'core modules know nothing of the API, Electron, CLI or renderer',
      },
    ]),
  ),
  restricted('src/api', [
    ...libraryPatterns('src/api'),
    {
      group: ['**/main/**', '**/cli/**', '**/renderer/**'],
      message: 'the API composes the core; it does not reach up',
    },
  ]),
  restricted('src/cli', [
    ...libraryPatterns('src/cli'),
    { group: ['**/main/**', '**/renderer/**'], message: 'the CLI is thin: core and API only' },
  ]),
  restricted('src/main', [
    ...libraryPatterns('src/main'),
    { group: ['**/renderer/**'], message: 'the shell loads the renderer over app://, never imports it' },
  ]),
  restricted('renderer', [
    ...libraryPatterns('renderer'),
    {
      group: [
        '**/src/dicom/**',
        '**/src/inference/**',
        '**/src/dataset/**',
        '**/src/export/**',
        '**/src/api/**',
        '**/src/main/**',
        '**/src/cli/**',
        'node:*',
      ],
      message: 'the renderer imports only src/shared types and talks to the API over fetch',
    },
  ]),
];

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      'renderer/dist',
      'test-artifacts',
      'models/train/**/*.py',
      'models/train/out',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  { files: ['renderer/**/*.ts'], languageOptions: { globals: { ...globals.browser } } },
  ...layerBlocks,
  // renderer/viewport may import cornerstone-core, but is still bound by the renderer's other rules
  restricted('renderer/viewport', [
    ...libraryPatterns('renderer/viewport'),
    {
      group: [
        '**/src/dicom/**',
        '**/src/inference/**',
        '**/src/dataset/**',
        '**/src/export/**',
        '**/src/api/**',
        '**/src/main/**',
        '**/src/cli/**',
        'node:*',
      ],
      message: 'the renderer imports only src/shared types and talks to the API over fetch',
    },
  ]),
);
