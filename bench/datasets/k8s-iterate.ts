// Generator speed alone (no encoder, no network): samples/s of iterating the k8s-cluster dataset.
// Run: npx tsc -p tsconfig.json && node dist/bench/datasets/k8s-iterate.js [preset] [windowMinutes]
import { k8sClusterDataset, type PresetName } from '../../src/datasets/k8s-cluster/index.js';

const preset = (process.argv[2] ?? 'default') as PresetName;
const windowMs = Number(process.argv[3] ?? 60) * 60_000;
const ds = k8sClusterDataset({ preset });
console.log(ds.describe());

function pass(limitWindows: number): { samples: number; seconds: number } {
  const t0 = process.hrtime.bigint();
  let samples = 0;
  let checksum = 0;
  let windows = 0;
  for (const w of ds.windows(windowMs)) {
    samples += w.samples;
    checksum += w.values[w.samples - 1]!;
    if (++windows >= limitWindows) break;
  }
  if (Number.isNaN(checksum)) throw new Error('NaN in the data');
  return { samples, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const rate = (r: { samples: number; seconds: number }) =>
  `${r.samples.toLocaleString('en-US')} samples in ${r.seconds.toFixed(3)} s = ${(r.samples / r.seconds / 1e6).toFixed(1)}M samples/s`;
console.log(`first window, cold:  ${rate(pass(1))}`);
console.log(`first window, warm:  ${rate(pass(1))}`);
console.log(`whole range:         ${rate(pass(Number.POSITIVE_INFINITY))}`);
