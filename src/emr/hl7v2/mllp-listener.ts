/**
 * Our MLLP listener, where the EHR delivers its SIU feed. A plain `net.Server` so it binds the host we are given
 * (loopback unless the EHR sits elsewhere; `@medplum/hl7`'s Hl7Server always binds every interface). Messages on one
 * connection are handled one at a time, so they are applied and acknowledged in the order the EHR sent them.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { encodeFrame, MllpFrameReader } from './mllp-framing';

/** Answers one message with its ACK; must not reject (an unanswerable message still gets an error ACK). */
export type MllpMessageHandler = (message: string) => Promise<string>;

export interface MllpListenerOptions {
  readonly host: string;
  /** 0 picks a free port; `port` tells which. */
  readonly port: number;
  readonly handle: MllpMessageHandler;
}

export class MllpListener {
  private readonly sockets = new Set<net.Socket>();
  /** Each connection's last queued message: the next one waits for it. */
  private readonly queues = new WeakMap<net.Socket, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;

  private constructor(
    private readonly server: net.Server,
    private readonly handle: MllpMessageHandler,
  ) {
    server.on('connection', (socket) => this.serve(socket));
  }

  static async start(options: MllpListenerOptions): Promise<MllpListener> {
    const listener = new MllpListener(net.createServer(), options.handle);
    await new Promise<void>((resolve, reject) => {
      listener.server.once('error', reject);
      listener.server.listen(options.port, options.host, () => {
        listener.server.off('error', reject);
        resolve();
      });
    });
    return listener;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops accepting, answers the messages already received, then drops the connections. */
  async close(): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.all(this.inFlight);
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private serve(socket: net.Socket): void {
    const reader = new MllpFrameReader();
    this.sockets.add(socket);
    // A reset connection must not crash the process; 'close' follows and forgets it.
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      if (this.closing) return; // not acknowledged, so the EHR sends it again after we restart
      let messages: string[];
      try {
        messages = reader.push(chunk);
      } catch {
        socket.destroy(); // an endless frame: nothing sensible to acknowledge
        return;
      }
      for (const message of messages) this.enqueue(socket, message);
    });
  }

  private enqueue(socket: net.Socket, message: string): void {
    const task = (this.queues.get(socket) ?? Promise.resolve())
      .then(() => this.handle(message))
      .then((ack) => {
        if (!socket.destroyed) socket.write(encodeFrame(ack));
      })
      .catch(() => {
        socket.destroy(); // the handler broke its promise to always answer: the EHR resends on a new connection
      });
    this.queues.set(socket, task);
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }
}
