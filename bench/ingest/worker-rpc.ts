/**
 * A worker thread of this process that answers one request at a time: the benchmarks run what stands for the outside
 * world (load generators, the fake Twilio API) there, so it does not compete with the server under test for its event
 * loop (it still shares the machine's cores). Workers are TypeScript files loaded through tsx's CommonJS hook: a
 * worker thread does not inherit the `tsx` loader of the main thread.
 */
import { Worker, parentPort } from 'node:worker_threads';

type WorkerReply<Reply> = { readonly reply: Reply } | { readonly error: string };

/** The main thread's side: start a worker file, call it, stop it. */
export class WorkerRpc<Request, Reply> {
  private pending?: { resolve(reply: Reply): void; reject(error: Error): void };

  private constructor(
    private readonly worker: Worker,
    private readonly name: string,
  ) {
    worker.on('message', (message: WorkerReply<Reply>) => {
      const pending = this.pending;
      this.pending = undefined;
      if ('reply' in message) pending?.resolve(message.reply);
      else pending?.reject(new Error(`${name}: ${message.error}`));
    });
    worker.on('error', (error) => this.failPending(error));
    worker.on('exit', (code) => this.failPending(new Error(`${name} thread exited (${code})`)));
  }

  /** Starts `file` (an absolute path to a worker module calling `serveWorkerRpc`) in a worker thread. */
  static start<Request, Reply>(file: string, name: string): WorkerRpc<Request, Reply> {
    // Resolved here so the worker finds tsx whatever the working directory.
    const tsxApi = require.resolve('tsx/cjs/api');
    const bootstrap = `require(${JSON.stringify(tsxApi)}).register(); require(${JSON.stringify(file)});`;
    return new WorkerRpc<Request, Reply>(new Worker(bootstrap, { eval: true }), name);
  }

  /** Sends one request (one at a time) and resolves with the worker's reply. */
  call(request: Request): Promise<Reply> {
    if (this.pending) return Promise.reject(new Error(`${this.name}: a request is already running`));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(request);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private failPending(error: Error): void {
    this.pending?.reject(error);
    this.pending = undefined;
  }
}

/** The worker's side: answers every request with `handle`'s result (or its error's message). */
export function serveWorkerRpc<Request, Reply>(handle: (request: Request) => Promise<Reply>): void {
  const port = parentPort;
  if (!port) throw new Error('serveWorkerRpc runs in a worker thread started with WorkerRpc.start');
  port.on('message', (request: Request) => {
    handle(request).then(
      (reply) => port.postMessage({ reply }),
      (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}
