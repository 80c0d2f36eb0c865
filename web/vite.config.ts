// Builds the web UI into dist/web/, which `benchpilot serve` serves at `/` (SPA fallback).
// Build: `npx vite build --config web/vite.config.ts` (from the repo root).
// Dev: `npx vite --config web/vite.config.ts` proxies /api to BENCHPILOT_URL (default :8080).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.BENCHPILOT_URL ?? 'http://127.0.0.1:8080';

/**
 * Empties the output folder except `src/`: the root `tsc` build compiles web/src/api/reducer.ts
 * to dist/web/src/api/ for its unit test (test/web-reducer.test.ts), and the two builds must
 * not undo each other whichever runs first.
 */
function emptyOutDirKeepingTsc(): Plugin {
  let outDir = '';
  return {
    name: 'benchpilot-empty-out-dir',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    buildStart() {
      if (!outDir || !existsSync(outDir)) return;
      for (const name of readdirSync(outDir)) {
        if (name !== 'src') rmSync(join(outDir, name), { recursive: true, force: true });
      }
    },
  };
}

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react(), emptyOutDirKeepingTsc()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: false,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true, ws: true },
    },
  },
});
