/** Collects the JSON log lines an app writes, to assert on them (and on what they must never contain). */
import { Writable } from 'node:stream';

export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    callback();
  }

  text(): string {
    return this.lines.join('\n');
  }
}
