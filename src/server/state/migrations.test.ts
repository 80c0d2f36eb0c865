import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LATEST_VERSION, MIGRATIONS, migrationSql, pendingMigrations } from './migrations.js';

test('migration versions start at 1, increase by one, and have unique names', () => {
  assert.deepEqual(
    MIGRATIONS.map((m) => m.version),
    MIGRATIONS.map((_, i) => i + 1),
  );
  assert.equal(new Set(MIGRATIONS.map((m) => m.name)).size, MIGRATIONS.length);
  assert.equal(LATEST_VERSION, MIGRATIONS.length);
});

test('every migration has SQL for both dialects', () => {
  for (const migration of MIGRATIONS) {
    assert.ok(migrationSql(migration, 'sqlite').trim().length > 0, `${migration.version} sqlite`);
    assert.ok(migrationSql(migration, 'postgres').trim().length > 0, `${migration.version} postgres`);
  }
});

test('both dialects create the same tables and indexes', () => {
  const names = (sql: string) => [...sql.matchAll(/CREATE (?:TABLE|INDEX) (\w+)/g)].map((m) => m[1]);
  for (const migration of MIGRATIONS) {
    assert.deepEqual(names(migrationSql(migration, 'sqlite')), names(migrationSql(migration, 'postgres')));
  }
  const all = MIGRATIONS.flatMap((m) => names(migrationSql(m, 'sqlite')));
  for (const table of ['tokens', 'targets', 'workloads', 'setups', 'runs', 'run_series', 'results']) {
    assert.ok(all.includes(table), table);
  }
});

test('pendingMigrations returns the ones not applied, in version order', () => {
  assert.deepEqual(
    pendingMigrations(new Set()).map((m) => m.version),
    MIGRATIONS.map((m) => m.version),
  );
  assert.deepEqual(pendingMigrations(new Set(MIGRATIONS.map((m) => m.version))), []);
});
