/**
 * The cluster the k8s-cluster dataset pretends to scrape: regions → zones → clusters → nodes, and
 * namespaces → services (one deployment each) → pods → containers. Every cluster runs every
 * namespace and service (a multi-cluster deployment), so a service instance lives in one cluster;
 * a pod belongs to one service/deployment/namespace and runs on one node of its cluster, so its
 * zone and region are its node's. Names and sizes are a pure function of the options and the seed.
 */
import { Splitmix32 } from '../../engine/random.js';

export interface TopologyOptions {
  readonly regions: number;
  readonly zonesPerRegion: number;
  readonly clustersPerRegion: number;
  readonly nodesPerCluster: number;
  readonly cpusPerNode: number;
  /** Namespaces in every cluster. */
  readonly namespaces: number;
  readonly servicesPerNamespace: number;
  readonly podsPerService: number;
  readonly containersPerPod: number;
}

export interface Region {
  readonly index: number;
  readonly name: string;
  /** Offset of the region's local time from UTC, hours: the daily peak follows local afternoon. */
  readonly utcOffsetHours: number;
}

export interface Zone {
  readonly index: number;
  readonly name: string;
  readonly region: number;
}

export interface Cluster {
  readonly index: number;
  readonly name: string;
  readonly region: number;
}

export interface Node {
  readonly index: number;
  readonly name: string;
  readonly cluster: number;
  readonly zone: number;
  readonly region: number;
  readonly ip: string;
  readonly cpus: number;
  readonly memTotalBytes: number;
}

/** A service as deployed in one cluster (the same namespace/service name exists in every cluster). */
export interface Service {
  readonly index: number;
  readonly name: string;
  readonly namespace: string;
  /** One Deployment per service; it has the service's name. */
  readonly deployment: string;
  readonly cluster: number;
  readonly pods: readonly number[];
}

export interface Pod {
  readonly index: number;
  readonly name: string;
  readonly ip: string;
  readonly service: number;
  readonly namespace: string;
  readonly deployment: string;
  readonly cluster: number;
  readonly node: number;
  readonly zone: number;
  readonly region: number;
  readonly containers: readonly number[];
}

export interface Container {
  readonly index: number;
  readonly name: string;
  readonly pod: number;
  /** The first container of a pod is the application (it serves the pod's HTTP metrics). */
  readonly main: boolean;
}

export interface Topology {
  readonly regions: readonly Region[];
  readonly zones: readonly Zone[];
  readonly clusters: readonly Cluster[];
  readonly nodes: readonly Node[];
  readonly namespaces: readonly string[];
  readonly services: readonly Service[];
  readonly pods: readonly Pod[];
  readonly containers: readonly Container[];
}

const REGIONS: readonly (readonly [string, number])[] = [
  ['us-east-1', -5],
  ['eu-west-1', 0],
  ['ap-southeast-1', 8],
  ['us-west-2', -8],
  ['eu-central-1', 1],
  ['ap-northeast-1', 9],
  ['sa-east-1', -3],
  ['ca-central-1', -5],
];
const NAMESPACES = ['shop', 'payments', 'identity', 'search', 'media', 'analytics', 'platform', 'messaging'];
const SERVICES = [
  'api',
  'web',
  'worker',
  'cart',
  'checkout',
  'catalog',
  'gateway',
  'orders',
  'users',
  'mailer',
];
const SIDECARS = ['istio-proxy', 'fluent-bit', 'otel-agent'];
/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const GIB = 1024 * 1024 * 1024;
const NODE_MEMORY_GIB = [16, 32, 64];

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit seed for one random stream, from the dataset seed (any safe integer) and a path. */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = fmix32((seed >>> 0) ^ 0x5bd1e995);
  h = fmix32(h ^ (Math.floor(seed / 4294967296) | 0));
  for (const part of path) h = fmix32((h + Math.imul(part + 1, 0x9e3779b9)) | 0);
  return h;
}

/** Salts of the dataset's random streams (one stream per salt and entity). */
export const STREAM = { topology: 1, node: 2, pod: 3, container: 4, restarts: 5 } as const;

function suffix(rng: Splitmix32, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SUFFIX_ALPHABET[rng.nextUint32() % SUFFIX_ALPHABET.length];
  return out;
}

function nth(names: readonly string[], i: number, fallback: string): string {
  return names[i] ?? `${fallback}-${i + 1}`;
}

export function buildTopology(options: TopologyOptions, seed: number): Topology {
  const rng = new Splitmix32(deriveSeed(seed, STREAM.topology));
  const regions: Region[] = [];
  const zones: Zone[] = [];
  const clusters: Cluster[] = [];
  const nodes: Node[] = [];
  const services: Service[] = [];
  const pods: Pod[] = [];
  const containers: Container[] = [];
  const namespaces = Array.from({ length: options.namespaces }, (_, i) => nth(NAMESPACES, i, 'namespace'));

  for (let r = 0; r < options.regions; r++) {
    const known = REGIONS[r];
    const region: Region = {
      index: r,
      name: known ? known[0] : `region-${r + 1}`,
      utcOffsetHours: known ? known[1] : 0,
    };
    regions.push(region);
    const firstZone = zones.length;
    for (let z = 0; z < options.zonesPerRegion; z++) {
      zones.push({ index: zones.length, name: `${region.name}${String.fromCharCode(97 + z)}`, region: r });
    }
    for (let c = 0; c < options.clustersPerRegion; c++) {
      const cluster: Cluster = { index: clusters.length, name: `${region.name}-prod-${c + 1}`, region: r };
      clusters.push(cluster);
      const firstNode = nodes.length;
      for (let n = 0; n < options.nodesPerCluster; n++) {
        const zone = firstZone + (n % options.zonesPerRegion);
        nodes.push({
          index: nodes.length,
          name: `${cluster.name}-node-${n + 1}`,
          cluster: cluster.index,
          zone,
          region: r,
          ip: `10.${cluster.index & 127}.${((n + 10) >> 8) & 255}.${(n + 10) & 255}`,
          cpus: options.cpusPerNode,
          memTotalBytes: NODE_MEMORY_GIB[rng.nextUint32() % NODE_MEMORY_GIB.length]! * GIB,
        });
      }
      // Pods are spread over the cluster's nodes round-robin from a random start (like a scheduler
      // balancing by count); the pod's zone and region are its node's.
      let nextNode = rng.nextUint32() % options.nodesPerCluster;
      let podInCluster = 0;
      for (const namespace of namespaces) {
        for (let s = 0; s < options.servicesPerNamespace; s++) {
          const name = nth(SERVICES, s, 'service');
          const replicaSet = suffix(rng, 10);
          const serviceIndex = services.length;
          const podIndexes: number[] = [];
          for (let p = 0; p < options.podsPerService; p++) {
            const node = nodes[firstNode + nextNode]!;
            nextNode = (nextNode + 1) % options.nodesPerCluster;
            const podIndex = pods.length;
            const containerIndexes: number[] = [];
            for (let k = 0; k < options.containersPerPod; k++) {
              containerIndexes.push(containers.length);
              containers.push({
                index: containers.length,
                name: k === 0 ? name : nth(SIDECARS, k - 1, 'sidecar'),
                pod: podIndex,
                main: k === 0,
              });
            }
            pods.push({
              index: podIndex,
              name: `${name}-${replicaSet}-${suffix(rng, 5)}`,
              ip: `10.${128 + (cluster.index & 127)}.${((podInCluster + 10) >> 8) & 255}.${(podInCluster + 10) & 255}`,
              service: serviceIndex,
              namespace,
              deployment: name,
              cluster: cluster.index,
              node: node.index,
              zone: node.zone,
              region: node.region,
              containers: containerIndexes,
            });
            podInCluster++;
            podIndexes.push(podIndex);
          }
          services.push({
            index: serviceIndex,
            name,
            namespace,
            deployment: name,
            cluster: cluster.index,
            pods: podIndexes,
          });
        }
      }
    }
  }
  return { regions, zones, clusters, nodes, namespaces, services, pods, containers };
}
