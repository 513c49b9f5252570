/**
 * MLLP framing (HL7 v2 over TCP): each message is sent as 0x0B, the message, 0x1C 0x0D. TCP delivers bytes, not
 * frames, so a reader collects chunks until a frame ends. Text is UTF-8 (MSH-18 character sets are not switched on).
 */

const START_BLOCK = 0x0b;
const END_BLOCK = Buffer.from([0x1c, 0x0d]);

/** A sender that never ends its frame must not grow our memory without bound. */
export const MAX_FRAME_BYTES = 1024 * 1024;

export class MllpFrameTooLargeError extends Error {
  constructor() {
    super('MLLP frame exceeds the size limit');
    this.name = 'MllpFrameTooLargeError';
  }
}

export function encodeFrame(message: string): Buffer {
  return Buffer.concat([Buffer.from([START_BLOCK]), Buffer.from(message, 'utf8'), END_BLOCK]);
}

/** Turns a byte stream into frame payloads; bytes outside a frame are line noise and dropped. */
export class MllpFrameReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** The payloads of the frames this chunk completes, in order. Throws MllpFrameTooLargeError. */
  push(chunk: Buffer): string[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const payloads: string[] = [];
    for (;;) {
      const end = this.pending.indexOf(END_BLOCK);
      if (end < 0) break;
      // The last start before the end: a sender that restarted mid-frame begins a new frame inside the old one.
      const start = this.pending.lastIndexOf(START_BLOCK, end);
      if (start >= 0) payloads.push(this.pending.subarray(start + 1, end).toString('utf8'));
      this.pending = this.pending.subarray(end + END_BLOCK.length);
    }
    const start = this.pending.indexOf(START_BLOCK);
    this.pending = start < 0 ? Buffer.alloc(0) : this.pending.subarray(start);
    if (this.pending.length > this.maxFrameBytes) throw new MllpFrameTooLargeError();
    return payloads;
  }
}
