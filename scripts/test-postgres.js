#!/usr/bin/env node
// Runs the integration suite again on PostgreSQL when TEST_DATABASE_URL names a server (CI starts one).
const { spawnSync } = require('node:child_process');

if (!process.env.TEST_DATABASE_URL) {
  console.log('TEST_DATABASE_URL is not set: the PostgreSQL run of the integration suite is skipped (.ci/run sets it).');
  process.exit(0);
}
const result = spawnSync('npx', ['jest', '--runInBand', 'test/integration'], {
  stdio: 'inherit',
  env: { ...process.env, TEST_ENGINE: 'postgres' },
});
process.exit(result.status ?? 1);
