// Builds the web UI into dist/web/, which `benchpilot serve` serves at `/` (SPA fallback).
// Build: `npx vite build --config web/vite.config.ts` (from the repo root).
// Dev: `npx vite --config web/vite.config.ts` proxies /api to BENCHPILOT_URL (default :8080).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.BENCHPILOT_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true, ws: true },
    },
  },
});
