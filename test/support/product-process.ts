/**
 * Runs the whole product the way a user does (`npm start`: `node --import tsx src/server.ts`, configured only by
 * environment) in a child process, for end-to-end tests. The product gets a process group of its own and signals go
 * to the whole group: SIGKILL then really kills the server (and its esbuild helper), the way a crash or an OOM kill
 * would. No tsx CLI in between: it SIGKILLs a child that does not acknowledge SIGTERM within 60 ms, which a worker
 * busy with a burst cannot do (production runs node directly, too).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { isPortClosed } from './free-port';
import { waitFor } from './wait-for';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const OUTPUT_LIMIT = 200_000;
/** Variables of the test runner's own environment that the child may see; everything else comes from `env`. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'] as const;

export interface ProductProcess {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly baseUrl: string;
  /** The child's stdout and stderr so far (its JSON logs), for failure messages. */
  output(): string;
  /** SIGKILL to the whole process group; resolves once the process is gone and its port is closed. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** How the process ended: 0 after a graceful stop, null while it runs or when a signal killed it. */
  readonly exitCode: number | null;
}

export interface StartOptions {
  /** How long start-up may take (the first start compiles TypeScript and trains the NLU). */
  readonly readyTimeoutMs?: number;
}

/** Starts `src/server.ts` with `env` (which must set PORT) and resolves once GET /readyz answers 200. */
export async function startProduct(
  env: Readonly<Record<string, string>>,
  options: StartOptions = {},
): Promise<ProductProcess> {
  const port = Number(env.PORT);
  if (!Number.isInteger(port) || port <= 0)
    throw new Error('startProduct: env.PORT must be a fixed port (use findFreePort)');
  return startChild('src/server.ts', env, port, options);
}

/** A queue worker process (`src/worker.ts`, the production layout): serves no HTTP. */
export type WorkerProcess = Pick<ProductProcess, 'output' | 'kill' | 'stop' | 'exitCode'>;

/** Starts `src/worker.ts` with `env` and resolves once it logs that its workers have started. */
export async function startWorker(
  env: Readonly<Record<string, string>>,
  options: StartOptions = {},
): Promise<WorkerProcess> {
  return startChild('src/worker.ts', env, undefined, options);
}

async function startChild(
  entry: string,
  env: Readonly<Record<string, string>>,
  port: number | undefined,
  options: StartOptions,
): Promise<ChildProduct> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env: { ...inheritedEnvironment(), ...env },
    detached: true, // own process group, so the group can be signalled (esbuild's service is a child of the product)
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const product = new ChildProduct(child, port);
  try {
    await product.waitUntilReady(options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await product.kill();
    throw error;
  }
  return product;
}

function inheritedEnvironment(): Record<string, string> {
  const inherited: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) inherited[name] = value;
  }
  return inherited;
}

/** A worker has no port: it is ready once it says so in its log. */
const WORKER_READY_LOG = '"msg":"workers started"';

class ChildProduct implements ProductProcess {
  readonly baseUrl: string;
  private captured = '';
  private readonly exited: Promise<void>;
  private hasExited = false;
  private readonly killOnExit = () => this.signalGroup('SIGKILL');

  constructor(
    private readonly child: ChildProcess,
    private readonly listensOn: number | undefined,
  ) {
    this.baseUrl = `http://127.0.0.1:${listensOn ?? 0}`;
    const capture = (chunk: Buffer) => {
      this.captured = (this.captured + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        this.hasExited = true;
        resolve();
      });
    });
    // Last resort if the test runner itself exits without calling stop(): never leave a server behind.
    process.once('exit', this.killOnExit);
  }

  get port(): number {
    return this.listensOn ?? 0;
  }

  get exitCode(): number | null {
    return this.child.exitCode;
  }

  output(): string {
    return this.captured;
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.hasExited)
        throw new Error(`the product exited during start-up (code ${this.child.exitCode}):\n${this.tail()}`);
      if (await this.isReady()) return;
      if (Date.now() > deadline) throw new Error(`the product was not ready within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async kill(): Promise<void> {
    this.signalGroup('SIGKILL');
    await this.exited;
    await this.afterExit();
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
    // esbuild's service may outlive the product by a moment: make sure nothing of the group is left.
    this.signalGroup('SIGKILL');
    await this.afterExit();
  }

  private async afterExit(): Promise<void> {
    process.removeListener('exit', this.killOnExit);
    const port = this.listensOn;
    if (port !== undefined) await waitFor(() => isPortClosed(port), 10_000, `port ${port} to be released`);
  }

  private async isReady(): Promise<boolean> {
    if (this.listensOn === undefined) return this.captured.includes(WORKER_READY_LOG);
    try {
      const response = await fetch(`${this.baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // ESRCH: the whole group is already gone.
    }
  }

  private tail(): string {
    return this.captured.split('\n').slice(-40).join('\n');
  }
}
