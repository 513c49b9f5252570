/**
 * The demo EMR's state as one sealed file in DATA_DIR (the `DemoEmrStore` of demo-emr.ts). A file, not a table: the
 * EMR is written during a turn, whose transaction holds the embedded database's only session. Written to a
 * temporary file and renamed, so a crash mid-write leaves the previous state whole.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { KeyRing } from '../../phi/key-ring';
import type { DemoEmrStore } from './demo-emr';

export class FileDemoEmrStore implements DemoEmrStore {
  private readonly file: string;

  constructor(
    dataDir: string,
    practiceId: string,
    private readonly keyRing: KeyRing,
  ) {
    this.file = path.join(dataDir, `demo-emr-${practiceId.replace(/[^A-Za-z0-9-]/g, '_')}.sealed`);
  }

  async load(): Promise<string | undefined> {
    const sealed = await fs.readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return sealed === undefined ? undefined : this.keyRing.decrypt(sealed);
  }

  async save(snapshot: string): Promise<void> {
    const temporary = `${this.file}.${process.pid}.tmp`;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    await fs.writeFile(temporary, this.keyRing.encrypt(snapshot), { mode: 0o600 });
    await fs.rename(temporary, this.file);
  }
}
