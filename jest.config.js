/** Tests run against the machine's real PostgreSQL and Redis; each file isolates itself (own schema, queue prefix). */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  testMatch: ['**/test/**/*.test.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
