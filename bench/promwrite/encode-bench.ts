// Generator + remote-write encoder speed on one core (no network): samples/s for the first hours of
// a preset, protobuf only and protobuf + snappy (what the sender posts).
// Run: npx tsc -p tsconfig.json && node dist/bench/promwrite/encode-bench.js [preset] [hours] [maxSamples]
import { k8sClusterDataset, type PresetName } from '../../src/datasets/k8s-cluster/index.js';
import { WriteRequestEncoder } from '../../src/drivers/promwrite/index.js';

const preset = (process.argv[2] ?? 'default') as PresetName;
const hours = Number(process.argv[3] ?? 4);
const maxSamples = Number(process.argv[4] ?? 20_000);
const ds = k8sClusterDataset({ preset });
console.log(ds.describe());
console.log(`first ${hours} h in 1-hour windows, requests of at most ${maxSamples} samples`);

function pass(mode: 'generator' | 'protobuf' | 'snappy'): {
  samples: number;
  seconds: number;
  bytes: number;
} {
  const encoder = new WriteRequestEncoder(ds.series);
  const t0 = process.hrtime.bigint();
  let samples = 0;
  let bytes = 0;
  let windows = 0;
  for (const w of ds.windows(3_600_000)) {
    if (mode === 'generator') samples += w.samples;
    else if (mode === 'protobuf') {
      bytes += encoder.encodeProtobuf(w).length;
      samples += w.samples;
    } else {
      for (const req of encoder.batches(w, maxSamples)) {
        bytes += req.body.length;
        samples += req.samples;
      }
    }
    if (++windows >= hours) break;
  }
  return { samples, seconds: Number(process.hrtime.bigint() - t0) / 1e9, bytes };
}

for (const mode of ['generator', 'protobuf', 'snappy'] as const) {
  pass(mode); // warm-up
  const runs = [pass(mode), pass(mode), pass(mode)];
  const best = runs.reduce((a, b) => (a.seconds < b.seconds ? a : b));
  const rate = best.samples / best.seconds;
  const perSample = best.bytes ? `, ${(best.bytes / best.samples).toFixed(2)} bytes/sample` : '';
  console.log(
    `${mode.padEnd(10)} ${best.samples.toLocaleString('en-US')} samples in ${best.seconds.toFixed(3)} s = ${(rate / 1e6).toFixed(2)}M samples/s/core${perSample}`,
  );
}
