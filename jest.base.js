// Shared jest settings: TypeScript through swc (no type-checking here; `tsc --build` does that).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 60_000,
  reporters: ['default', require.resolve('./scripts/jest-results-reporter.js')],
};
