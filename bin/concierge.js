#!/usr/bin/env node
// Runs the compiled CLI when `npm run build` has been run, else the TypeScript sources through tsx.
const path = require('node:path');
const fs = require('node:fs');

const compiled = path.join(__dirname, '..', 'dist', 'src', 'cli.js');
if (fs.existsSync(compiled)) {
  require(compiled).runCli(process.argv);
} else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'src', 'cli.ts')).runCli(process.argv);
}
