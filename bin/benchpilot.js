#!/usr/bin/env node
// Thin launcher: the CLI is compiled from src/cli to dist/src/cli by `npm install` (prepare) or `npm run build`.
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
