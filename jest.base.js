// Shared jest settings: TypeScript through swc (no type-checking here; `tsc --build` does that).
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // jose 6 ships ES modules only; jest's module system is CommonJS, so jose is compiled to it.
    // (Compiled code needs no such step: Node 22.12+ requires ES modules itself.)
    '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  testTimeout: 60_000,
  reporters: ['default', require.resolve('./scripts/jest-results-reporter.js')],
};
