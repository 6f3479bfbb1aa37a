// StrykerJS configuration for `npm run mutate -- src/<folder>` (see docs/testing.md).
// scripts/mutate.js sets FUSEMAX_MUTATE_*: one src/ folder (or file) is mutated at a time, and each mutant
// is tested only by the test files of the matching test/ folder that cover it (the TAP runner runs
// node:test files one by one and records which mutants each file reaches).
const { FUSEMAX_MUTATE_FILES: files, FUSEMAX_MUTATE_REPORT: report, FUSEMAX_MUTATE_TESTS: tests } = process.env;
if (!files || !report || !tests) throw new Error('run Stryker through `npm run mutate -- src/<folder>`');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'tap',
  plugins: ['@stryker-mutator/tap-runner', './stryker-ignorers.mjs'],
  ignorers: ['diagnostic-messages', 'exhaustive-switch-defaults'],
  tap: {
    // The folder's test files in the order scripts/mutate.js chose (cheap ones first).
    testFiles: JSON.parse(tests),
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  mutate: [files],
  coverageAnalysis: 'perTest',
  // The incremental report is kept in the repository: a later run re-tests only mutants whose code or
  // covering tests changed.
  incremental: true,
  incrementalFile: report,
  reporters: ['clear-text', 'progress'],
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0, reportScoreTable: true },
  concurrency: 2,
  timeoutMS: 5000,
  timeoutFactor: 1.5,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['out', 'dist', 'mutation', '.stryker-tmp', 'reports'],
  thresholds: { high: 90, low: 80, break: null },
};
