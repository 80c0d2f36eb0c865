/**
 * One active control plane among replicas: a coordination.k8s.io Lease, as kube-controller-manager
 * does it. The holder runs the executor (Jobs, runner links) and is the only ready replica, so the
 * Service sends users and runner pods to it; the others wait as hot standbys and take over when
 * the holder stops renewing (it crashed) or releases the Lease (it shut down).
 */
import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from '@kubernetes/client-node';

export interface LeaseOptions {
  namespace: string;
  name: string;
  /** Who holds it: the pod name (and address, for people reading the Lease). */
  identity: string;
  leaseSeconds?: number;
  renewSeconds?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LeaderLease {
  readonly #api: CoordinationV1Api;
  readonly #o: Required<Omit<LeaseOptions, 'log'>> & Pick<LeaseOptions, 'log'>;
  #held = false;
  #stopped = false;
  #renewTimer: NodeJS.Timeout | null = null;
  #lastRenewMs = 0;
  #onLost: (() => void) | null = null;

  constructor(kc: KubeConfig, options: LeaseOptions) {
    this.#api = kc.makeApiClient(CoordinationV1Api);
    this.#o = { leaseSeconds: 15, renewSeconds: 5, ...options };
  }

  get held(): boolean {
    return this.#held;
  }

  /** Waits until this replica holds the Lease (polls every renew period). */
  async acquire(): Promise<void> {
    let reported = '';
    while (!this.#stopped) {
      const holder = await this.#tryAcquire().catch((err: unknown) => {
        this.#o.log?.('leader lease: API error; retrying', { err: (err as Error).message });
        return 'error';
      });
      if (holder === null) {
        this.#held = true;
        this.#lastRenewMs = Date.now();
        this.#renewTimer = setInterval(() => void this.#renew(), this.#o.renewSeconds * 1000);
        this.#o.log?.('leader lease acquired: this replica is the active control plane', {
          lease: this.#o.name,
        });
        return;
      }
      if (holder !== reported && holder !== 'error') {
        this.#o.log?.('waiting as a standby: another replica is the active control plane', { holder });
        reported = holder;
      }
      await sleep(this.#o.renewSeconds * 1000);
    }
  }

  /** Called once when the Lease is lost while held (renewals failed for a whole lease period). */
  onLost(callback: () => void): void {
    this.#onLost = callback;
  }

  /** Gives the Lease up so a standby takes over at once (shutdown). */
  async release(): Promise<void> {
    this.#stopped = true;
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    if (!this.#held) return;
    this.#held = false;
    try {
      const lease = await this.#api.readNamespacedLease({ name: this.#o.name, namespace: this.#o.namespace });
      if (lease.spec?.holderIdentity !== this.#o.identity) return;
      lease.spec.holderIdentity = '';
      lease.spec.renewTime = new V1MicroTime(0);
      await this.#api.replaceNamespacedLease({
        name: this.#o.name,
        namespace: this.#o.namespace,
        body: lease,
      });
    } catch (err) {
      this.#o.log?.('leader lease: could not release (a standby takes over when it expires)', {
        err: (err as Error).message,
      });
    }
  }

  /** null when acquired; else the current holder. */
  async #tryAcquire(): Promise<string | null> {
    const { namespace, name, identity, leaseSeconds } = this.#o;
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      const now = new V1MicroTime();
      await this.#api.createNamespacedLease({
        namespace,
        body: {
          metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'benchpilot' } },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: leaseSeconds,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: 0,
          },
        },
      });
      return null;
    }
    const spec = lease.spec ?? {};
    const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
    const expired = renewed + (spec.leaseDurationSeconds ?? leaseSeconds) * 1000 < Date.now();
    if (spec.holderIdentity && spec.holderIdentity !== identity && !expired) return spec.holderIdentity;
    const now = new V1MicroTime();
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds: leaseSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (spec.holderIdentity === identity ? 0 : 1),
    };
    try {
      // Optimistic concurrency (resourceVersion): of two standbys only one wins.
      await this.#api.replaceNamespacedLease({ name, namespace, body: lease });
      return null;
    } catch (err) {
      if ((err as { code?: number }).code === 409) return spec.holderIdentity || '(another standby)';
      throw err;
    }
  }

  async #renew(): Promise<void> {
    if (!this.#held) return;
    const { namespace, name, identity, leaseSeconds } = this.#o;
    try {
      const lease = await this.#api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return this.#lose('another replica holds the lease');
      lease.spec.renewTime = new V1MicroTime();
      await this.#api.replaceNamespacedLease({ name, namespace, body: lease });
      this.#lastRenewMs = Date.now();
    } catch (err) {
      if (Date.now() - this.#lastRenewMs > leaseSeconds * 1000)
        this.#lose(`renewal failed: ${(err as Error).message}`);
    }
  }

  #lose(why: string): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#renewTimer) clearInterval(this.#renewTimer);
    this.#o.log?.('leader lease lost', { why });
    this.#onLost?.();
  }
}
