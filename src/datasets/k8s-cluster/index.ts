export {
  alignedEnd,
  DEFAULT_END_MS,
  type K8sClusterDataset,
  type K8sClusterOptions,
  k8sClusterDataset,
  MAX_SCRAPE_INTERVAL_SECONDS,
  type Restart,
  samplesPerSeries,
  seriesCount,
  type Window,
} from './generator.js';
export {
  CPU_MODES,
  FAMILIES,
  HTTP_CODES,
  HTTP_METHODS,
  type Label,
  LE_BOUNDS,
  type MetricFamily,
  type MetricKind,
  PHASES,
  type Series,
  type SeriesRole,
} from './metrics.js';
export { type K8sClusterKnobs, PRESET_NAMES, PRESETS, type PresetName } from './presets.js';
export type { Cluster, Container, Node, Pod, Region, Service, Topology, Zone } from './topology.js';
