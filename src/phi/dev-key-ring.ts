/**
 * Outside production, PHI_KEYS may be unset: a key is generated once and kept in DATA_DIR so the embedded demo's
 * data stays readable across restarts. Production refuses to start without PHI_KEYS (see config.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { KeyRing } from './key-ring';

/** `onGenerated` is told the file's path when a development key is created, so the operator hears about it. */
export function loadKeyRing(phiKeys: string | undefined, dataDir: string, onGenerated?: (file: string) => void): KeyRing {
  if (phiKeys) return new KeyRing(phiKeys);
  const file = path.join(dataDir, 'dev-phi-keys');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, KeyRing.generateSpec('dev1'), { mode: 0o600, flag: 'wx' });
      onGenerated?.(file);
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return new KeyRing(fs.readFileSync(file, 'utf8').trim());
}
