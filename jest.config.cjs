/** Jest runs the TypeScript sources through ts-jest, compiled to CommonJS for the test VM
 * (the shipped bundles are CommonJS too, dist/package.json; see scripts/bundle.mjs). `.js` suffixes in relative
 * imports are mapped back to the `.ts` sources. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }],
  },
  testTimeout: 30000,
  // One temporary folder per run, removed at its end (jest.global-setup.cjs).
  globalSetup: '<rootDir>/jest.global-setup.cjs',
  globalTeardown: '<rootDir>/jest.global-teardown.cjs',
};
