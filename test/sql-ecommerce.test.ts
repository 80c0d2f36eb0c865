/**
 * workloads/sql-ecommerce.yaml end to end with runWorkload: against a real PostgreSQL (Debian's
 * server via test/helpers/postgres.ts) and against the embedded PGlite. The rows in the database
 * must follow exactly from the rampup cycles (the formula in the workload's header).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/embedded/pglite.js';
import type { RunSummary } from '../src/protocol/summary.js';
import { runWorkload } from '../src/runner/run-workload.js';
import { startPostgres } from './helpers/postgres.js';

const WORKLOAD = fileURLToPath(new URL('../../workloads/sql-ecommerce.yaml', import.meta.url));
const MAIN_ORDER_IDS_FROM = 1_000_000_001;

/** Rows the rampup writes for N cycles: op sequence (order, customer, product, order) per 4 cycles. */
export function expectedRows(cycles: number) {
  const atPosition = (position: number) => Math.floor((cycles + 3 - position) / 4);
  const orders = atPosition(0) + atPosition(3);
  return { customers: atPosition(1), products: atPosition(2), orders, orderItems: 3 * orders };
}

async function runAndCheck(url: string, cycles: number, workers: number): Promise<void> {
  const entities = expectedRows(cycles).customers;
  const summary: RunSummary = await runWorkload({
    file: WORKLOAD,
    sets: [
      `phases.rampup.cycles=${cycles}`,
      'phases.main.duration=3s',
      'phases.main.warmup=0',
      `bindings.customer.max=${entities}`,
      `bindings.product.n=${expectedRows(cycles).products}`,
    ],
    workers,
    env: { BENCHPILOT_PG_URL: url },
  });

  assert.deepEqual(
    summary.phases.map((p) => p.name),
    ['drop', 'schema', 'rampup', 'constraints', 'main'],
  );
  for (const phase of summary.phases) {
    assert.equal(phase.failure, null, `${phase.name}: ${phase.failure?.message}`);
    for (const op of phase.ops) {
      assert.equal(op.errors, 0, `${phase.name}.${op.name}: ${JSON.stringify(op.errorSamples)}`);
    }
    if (phase.cycles.total !== null) {
      assert.equal(phase.cycles.done, phase.cycles.total, phase.name);
      assert.equal(
        phase.ops.reduce((n, op) => n + op.count, 0),
        phase.cycles.total,
        `${phase.name}: op counts add up to the cycles`,
      );
    }
  }
  const byName = Object.fromEntries(summary.phases.map((p) => [p.name, p]));
  assert.equal(byName.rampup!.cycles.total, cycles);
  const expected = expectedRows(cycles);
  const rampupOps = Object.fromEntries(byName.rampup!.ops.map((op) => [op.name, op.count]));
  assert.deepEqual(rampupOps, {
    customer: expected.customers,
    product: expected.products,
    order: expected.orders,
  });
  const main = byName.main!;
  assert.ok(
    main.ops.every((op) => op.count > 0),
    'every main op ran',
  );
  assert.ok(main.thresholds.find((t) => t.expression === 'errors < 1%')?.ok);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const count = async (sql: string): Promise<number> => (await client.query(sql)).rows[0].n;
    assert.equal(await count('SELECT count(*)::int AS n FROM customers'), expected.customers);
    assert.equal(await count('SELECT count(*)::int AS n FROM products'), expected.products);
    assert.equal(
      await count(`SELECT count(*)::int AS n FROM orders WHERE id < ${MAIN_ORDER_IDS_FROM}`),
      expected.orders,
    );
    assert.equal(
      await count(`SELECT count(*)::int AS n FROM order_items WHERE order_id < ${MAIN_ORDER_IDS_FROM}`),
      expected.orderItems,
    );
    // Ids are dense and every rampup order is its cycle + 1.
    assert.equal(await count('SELECT max(id)::int AS n FROM customers'), expected.customers);
    assert.equal(await count('SELECT max(id)::int AS n FROM products'), expected.products);
    assert.equal(
      await count(
        `SELECT count(*)::int AS n FROM orders WHERE id < ${MAIN_ORDER_IDS_FROM} AND (id - 1) % 4 NOT IN (0, 3)`,
      ),
      0,
    );
    // Every order placed in main (its customer and product exist) is one order with one line.
    const placed = main.ops.find((op) => op.name === 'place_order')!.count;
    assert.equal(
      await count(`SELECT count(*)::int AS n FROM orders WHERE id >= ${MAIN_ORDER_IDS_FROM}`),
      placed,
    );
    assert.equal(
      await count(`SELECT count(*)::int AS n FROM order_items WHERE order_id >= ${MAIN_ORDER_IDS_FROM}`),
      placed,
    );
    // The constraints phase added the foreign keys (so the load was consistent).
    assert.equal(await count("SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f'"), 3);
  } finally {
    await client.end();
  }
}

describe('sql-ecommerce workload', () => {
  test('against PostgreSQL: rows follow from the cycles (N not a multiple of 4, 2 worker threads)', async () => {
    const server = await startPostgres();
    try {
      await runAndCheck(server.url, 2002, 2);
    } finally {
      await server.close();
    }
  });

  test('against the embedded PGlite: rows follow from the cycles', async () => {
    const embedded = await startEmbeddedPostgres();
    try {
      await runAndCheck(embedded.url, 2000, 1);
    } finally {
      await embedded.close();
    }
  });

  test('the row formula', () => {
    assert.deepEqual(expectedRows(8000), {
      customers: 2000,
      products: 2000,
      orders: 4000,
      orderItems: 12000,
    });
    assert.deepEqual(expectedRows(2002), { customers: 501, products: 500, orders: 1001, orderItems: 3003 });
    assert.deepEqual(expectedRows(4), { customers: 1, products: 1, orders: 2, orderItems: 6 });
  });
});
