/**
 * A watch that does not go stale: it lists first (every object is handled as ADDED, so state
 * missed while nobody watched is seen), then watches from that list's resourceVersion; when the
 * watch ends (server timeout, network error, 410 Gone) it lists and watches again.
 */
import { type KubeConfig, Watch } from '@kubernetes/client-node';

const RESYNC_DELAY_MS = 1000;
const RETRY_DELAY_MS = 5000;

export interface ListResult {
  items: unknown[];
  metadata?: { resourceVersion?: string | undefined } | undefined;
}

export class ResyncingWatch {
  readonly #kc: KubeConfig;
  readonly #path: string;
  readonly #labelSelector: string;
  readonly #list: () => Promise<ListResult>;
  readonly #handle: (type: string, obj: unknown) => void;
  readonly #warn: (message: string, fields?: Record<string, unknown>) => void;
  #controller: AbortController | null = null;
  #stopped = false;

  constructor(options: {
    kc: KubeConfig;
    path: string;
    labelSelector: string;
    list: () => Promise<ListResult>;
    handle: (type: string, obj: unknown) => void;
    warn: (message: string, fields?: Record<string, unknown>) => void;
  }) {
    this.#kc = options.kc;
    this.#path = options.path;
    this.#labelSelector = options.labelSelector;
    this.#list = options.list;
    this.#handle = options.handle;
    this.#warn = options.warn;
  }

  start(): void {
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#controller?.abort();
    this.#controller = null;
  }

  #again(delayMs: number): void {
    if (!this.#stopped) setTimeout(() => void this.#run(), delayMs).unref();
  }

  async #run(): Promise<void> {
    if (this.#stopped) return;
    let resourceVersion: string | undefined;
    try {
      const list = await this.#list();
      for (const item of list.items) this.#handle('ADDED', item);
      resourceVersion = list.metadata?.resourceVersion;
    } catch (err) {
      this.#warn(`list ${this.#path} failed; retrying`, { err: (err as Error).message });
      this.#again(RETRY_DELAY_MS);
      return;
    }
    try {
      this.#controller = await new Watch(this.#kc).watch(
        this.#path,
        { labelSelector: this.#labelSelector, resourceVersion, allowWatchBookmarks: true },
        (type, obj) => {
          if (type !== 'BOOKMARK') this.#handle(type, obj);
        },
        () => this.#again(RESYNC_DELAY_MS),
      );
    } catch (err) {
      this.#warn(`watch ${this.#path} failed; retrying`, { err: (err as Error).message });
      this.#again(RETRY_DELAY_MS);
    }
  }
}
