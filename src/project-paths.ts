/** Where the project's data files live, whether running from src/ (tsx) or dist/src/ (compiled). */
import fs from 'node:fs';
import path from 'node:path';

function findProjectRoot(start: string): string {
  let directory = start;
  while (!fs.existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) return path.resolve(start, '..');
    directory = parent;
  }
  return directory;
}

export const PROJECT_ROOT = findProjectRoot(__dirname);
export const FLOWS_DIR = path.join(PROJECT_ROOT, 'flows');
export const INTENTS_DIR = path.join(PROJECT_ROOT, 'intents');
