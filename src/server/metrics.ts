/** Prometheus metrics of the control plane itself (`GET /metrics`), via prom-client. */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { RUN_STATES } from '../protocol/api.js';
import type { EventHub } from './hub.js';
import type { Store } from './state/store.js';

export interface ServerMetrics {
  readonly registry: Registry;
  readonly apiLatency: Histogram<'method' | 'route' | 'status'>;
}

export function createMetrics(store: Store, hub: EventHub): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'benchpilot_server_' });
  new Gauge({
    name: 'benchpilot_runs',
    help: 'Runs by state (the newest 1000)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const runs = await store.listRuns({ limit: 1000 });
      for (const state of RUN_STATES) this.set({ state }, runs.filter((r) => r.state === state).length);
    },
  });
  new Gauge({
    name: 'benchpilot_event_subscribers',
    help: 'Connected WebSocket clients',
    registers: [registry],
    collect() {
      this.set(hub.size);
    },
  });
  let sentSeen = 0;
  let droppedSeen = 0;
  new Counter({
    name: 'benchpilot_events_sent_total',
    help: 'WebSocket messages sent',
    registers: [registry],
    collect() {
      this.inc(hub.sent - sentSeen);
      sentSeen = hub.sent;
    },
  });
  new Counter({
    name: 'benchpilot_events_dropped_total',
    help: 'Snapshot/log messages skipped for slow WebSocket clients',
    registers: [registry],
    collect() {
      this.inc(hub.dropped - droppedSeen);
      droppedSeen = hub.dropped;
    },
  });
  const apiLatency = new Histogram({
    name: 'benchpilot_api_request_duration_seconds',
    help: 'API request latency',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return { registry, apiLatency };
}
