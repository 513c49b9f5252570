/** Tests run against the machine's real PostgreSQL and Redis; each file isolates itself (own schema, queue prefix). */
module.exports = {
  testEnvironment: 'node',
  // Transpile only: `npm run lint` type-checks.
  transform: { '^.+\\.tsx?$': ['ts-jest', { diagnostics: false }] },
  testMatch: ['**/test/**/*.test.ts'],
  testTimeout: 90000,
  maxWorkers: 2,
  setupFiles: ['<rootDir>/test/support/no-cloud-metadata.ts'],
};
