/**
 * Named sizes of the k8s-cluster dataset. Sizes follow from the formula in generator.ts
 * (`seriesCount`); the tests pin them.
 *
 * | preset  | topology                                         | series | samples/series | samples     |
 * | ------- | ------------------------------------------------ | ------ | -------------- | ----------- |
 * | tiny    | 1 region, 2 nodes, 4 pods × 2 containers, 2 extra |    196 | 480 (2 h)      |      94,080 |
 * | small   | 1 region, 3 nodes, 8 pods × 2, 20 extra           |    710 | 1,440 (6 h)    |   1,022,400 |
 * | default | 2 regions, 6 nodes, 24 pods × 2, 50 extra         |  3,468 | 5,760 (1 day)  |  19,975,680 |
 * | large   | 3 regions × 2 clusters, 36 nodes, 216 pods × 2    | 31,752 | 5,760 (1 day)  | 182,891,520 |
 */

import type { TopologyOptions } from './topology.js';

export type PresetName = 'tiny' | 'small' | 'default' | 'large';

/** The topology's sizes (regions … containersPerPod, see topology.ts), plus time and extras. */
export interface K8sClusterKnobs extends TopologyOptions {
  /** Length of the time range in days (fractions allowed: 0.25 = 6 hours). */
  readonly days: number;
  /** Seconds between samples of a series; at most 60 so rate(x[5m]) has ≥ 4 samples. */
  readonly scrapeIntervalSeconds: number;
  /** Synthetic series per container, alternating gauge and counter, to reach a target size. */
  readonly extraMetricsPerContainer: number;
  /** Mean container restarts per container per day (each resets that container's counters). */
  readonly restartsPerContainerPerDay: number;
}

export const PRESETS: Readonly<Record<PresetName, K8sClusterKnobs>> = {
  tiny: {
    days: 2 / 24,
    scrapeIntervalSeconds: 15,
    regions: 1,
    zonesPerRegion: 2,
    clustersPerRegion: 1,
    nodesPerCluster: 2,
    cpusPerNode: 2,
    namespaces: 1,
    servicesPerNamespace: 2,
    podsPerService: 2,
    containersPerPod: 2,
    extraMetricsPerContainer: 2,
    restartsPerContainerPerDay: 24,
  },
  small: {
    days: 0.25,
    scrapeIntervalSeconds: 15,
    regions: 1,
    zonesPerRegion: 3,
    clustersPerRegion: 1,
    nodesPerCluster: 3,
    cpusPerNode: 4,
    namespaces: 2,
    servicesPerNamespace: 2,
    podsPerService: 2,
    containersPerPod: 2,
    extraMetricsPerContainer: 20,
    restartsPerContainerPerDay: 2,
  },
  default: {
    days: 1,
    scrapeIntervalSeconds: 15,
    regions: 2,
    zonesPerRegion: 3,
    clustersPerRegion: 1,
    nodesPerCluster: 3,
    cpusPerNode: 4,
    namespaces: 2,
    servicesPerNamespace: 2,
    podsPerService: 3,
    containersPerPod: 2,
    extraMetricsPerContainer: 50,
    restartsPerContainerPerDay: 1,
  },
  large: {
    days: 1,
    scrapeIntervalSeconds: 15,
    regions: 3,
    zonesPerRegion: 3,
    clustersPerRegion: 2,
    nodesPerCluster: 6,
    cpusPerNode: 8,
    namespaces: 4,
    servicesPerNamespace: 3,
    podsPerService: 3,
    containersPerPod: 2,
    extraMetricsPerContainer: 50,
    restartsPerContainerPerDay: 1,
  },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
