/** Unit specs live next to the code (src/**\/*.spec.ts); e2e specs drive the app in test/. */
const transform = { '^.+\\.(t|j)s$': ['@swc/jest'] };
const moduleNameMapper = { '^@/(.*)$': '<rootDir>/src/$1' };
// A few dependencies ship ES modules only; let swc turn them into CommonJS for Jest.
const transformIgnorePatterns = ['/node_modules/(?!(content-disposition)/)'];

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
    },
  ],
};
