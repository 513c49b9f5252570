/**
 * Our MLLP connection to the EHR: one message at a time (MLLP's original mode: the next message waits for the
 * previous ACK), over a connection kept open between messages and opened again when it drops. A message without
 * its ACK in time drops the connection, so a late ACK can never be taken for the answer to the next message.
 *
 * Why not `@medplum/hl7`'s Hl7Client: its `sendAndWait` timer is never cleared, and when it fires it removes
 * whatever is pending under that control id, which is the retry of the same request (we resend with the same control
 * id on purpose, so the EHR de-duplicates); and it takes messages of the `@medplum/core` copy nested inside it, a
 * different class from the project's.
 */
import net from 'node:net';
import { encodeFrame, MllpFrameReader } from './mllp-framing';

export type MllpFailure = 'timeout' | 'unreachable';

/** No answer: 'unreachable' when nothing was sent, 'timeout' when it was sent and no ACK came back in time. */
export class MllpUnavailableError extends Error {
  constructor(readonly reason: MllpFailure) {
    super(`MLLP peer ${reason}`);
    this.name = 'MllpUnavailableError';
  }
}

export interface MllpSenderOptions {
  readonly host: string;
  readonly port: number;
  /** How long to wait to connect, and then for the ACK. */
  readonly ackTimeoutMs: number;
}

/** The message waiting for its ACK: offered every frame that arrives, failed when the connection drops. */
interface PendingReply {
  offer(frame: string): void;
  fail(error: MllpUnavailableError): void;
}

export class MllpSender {
  private socket?: net.Socket;
  private pending?: PendingReply;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: MllpSenderOptions) {}

  /** Sends one message and resolves with the first reply `readReply` recognises in a frame (its ACK). */
  send<T>(message: string, readReply: (frame: string) => T | undefined): Promise<T> {
    const exchange = this.queue.then(() => this.exchange(message, readReply));
    this.queue = exchange.catch(() => undefined);
    return exchange;
  }

  /** Waits for the message being sent, then closes the connection; later sends fail as unreachable. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    this.socket?.destroy();
  }

  private async exchange<T>(message: string, readReply: (frame: string) => T | undefined): Promise<T> {
    const socket = await this.connect();
    return new Promise<T>((resolve, reject) => {
      const stopWaiting = () => {
        clearTimeout(timer);
        this.pending = undefined;
      };
      const fail = (error: MllpUnavailableError) => {
        stopWaiting();
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new MllpUnavailableError('timeout')), this.options.ackTimeoutMs);
      this.pending = {
        offer: (frame) => {
          const reply = readReply(frame);
          if (reply === undefined) return;
          stopWaiting();
          resolve(reply);
        },
        fail,
      };
      socket.write(encodeFrame(message));
    });
  }

  private async connect(): Promise<net.Socket> {
    if (this.closed) throw new MllpUnavailableError('unreachable');
    if (this.socket && !this.socket.destroyed) return this.socket;
    const socket = await this.open();
    const reader = new MllpFrameReader();
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of reader.push(chunk)) this.pending?.offer(frame);
      } catch {
        socket.destroy();
      }
    });
    socket.on('close', () => {
      if (this.socket !== socket) return; // an old connection, already given up on
      this.socket = undefined;
      this.pending?.fail(new MllpUnavailableError('timeout'));
    });
    this.socket = socket;
    return socket;
  }

  private open(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.options.host, port: this.options.port });
      // Errors after connecting end in 'close', which fails the message waiting for its ACK.
      socket.on('error', () => undefined);
      const fail = () => {
        clearTimeout(timer);
        socket.destroy();
        reject(new MllpUnavailableError('unreachable'));
      };
      const timer = setTimeout(fail, this.options.ackTimeoutMs);
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.setKeepAlive(true);
        resolve(socket);
      });
    });
  }
}
