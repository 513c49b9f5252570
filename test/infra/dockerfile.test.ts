/**
 * infra/Dockerfile, .dockerignore and infra/docker-entrypoint.sh, checked without a Docker engine: the Dockerfile's
 * stages as parsed by dockerfile-ast, the build context as .dockerignore leaves it, the browser sources the web
 * process bundles at start placed where it looks for them, and the entry point run for real with a stand-in `node`.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Copy, type Instruction, JSONInstruction } from 'dockerfile-ast';
import { type BuildStage, isInContext, readBuildStages, readDockerignore } from '../support/manifest-docker-context';

const ROOT = path.join(__dirname, '..', '..');
const DOCKERFILE = path.join(ROOT, 'infra', 'Dockerfile');
const stages = readBuildStages(DOCKERFILE);
const runtime = stages[stages.length - 1]!;
const ignore = readDockerignore(path.join(ROOT, '.dockerignore'));

function keyword(stage: BuildStage, name: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.getKeyword() === name);
}

/** An instruction's arguments: the strings of its exec (JSON) form, else its words (flags excluded). */
function args(instruction: Instruction | undefined): string[] {
  const json = instruction instanceof JSONInstruction ? instruction.getJSONStrings() : [];
  if (json.length > 0) return json.map((value) => value.getJSONValue());
  return (instruction?.getArguments() ?? []).map((argument) => argument.getValue());
}

function runs(stage: BuildStage): string[] {
  return keyword(stage, 'RUN').map((instruction) => instruction.getArgumentsContent() ?? '');
}

/** COPY instructions of a stage: where from (a stage name, or the build context) and the source paths. */
function copies(stage: BuildStage): { from: string | undefined; sources: string[]; destination: string }[] {
  return keyword(stage, 'COPY').map((instruction) => {
    const values = args(instruction);
    const from = instruction instanceof Copy ? (instruction.getFromFlag()?.getValue() ?? undefined) : undefined;
    return { from, sources: values.slice(0, -1), destination: values[values.length - 1]! };
  });
}

/** Every file under a repository path (a file itself, or a folder's files). */
function filesUnder(relative: string): string[] {
  const absolute = path.join(ROOT, relative);
  if (!fs.statSync(absolute).isDirectory()) return [relative];
  return fs
    .readdirSync(absolute, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.posix.join(relative, entry.split(path.sep).join('/')))
    .filter((entry) => fs.statSync(path.join(ROOT, entry)).isFile());
}

describe('Dockerfile', () => {
  it('builds in stages: everything to compile, production dependencies alone for the runtime', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((stage) => runs(stage).some((command) => /\bnpm run build\b/.test(command)));
    const production = stages.find((stage) => runs(stage).some((command) => /\bnpm ci\b.*--omit=dev/.test(command)));
    expect(runs(build!).some((command) => /^npm ci\b/.test(command) && !command.includes('--omit'))).toBe(true);
    expect(production).toBeDefined();
    const fromStages = copies(runtime).filter((copy) => copy.from !== undefined);
    expect(fromStages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ from: production!.name, sources: ['/app/node_modules'] }),
        expect.objectContaining({ from: build!.name, sources: ['/app/dist'] }),
      ]),
    );
    expect(runs(runtime).some((command) => /\bnpm (ci|install)\b/.test(command))).toBe(false);
    expect(runtime.image).toMatch(/NODE_IMAGE/);
    expect(fs.readFileSync(DOCKERFILE, 'utf8')).toMatch(/^ARG NODE_IMAGE=node:20-[a-z]+-slim$/m);
  });

  it('runs as a numeric non-root user, in production mode, with data in /tmp', () => {
    const user = args(keyword(runtime, 'USER').pop())[0] ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    const environment = Object.fromEntries(
      keyword(runtime, 'ENV').flatMap((instruction) =>
        args(instruction).map((pair) => pair.split('=') as [string, string]),
      ),
    );
    expect(environment).toMatchObject({ NODE_ENV: 'production' });
    expect(environment.DATA_DIR).toMatch(/^\/tmp\//);
  });

  it('health-checks through the entry point, runs tini as PID 1 and starts the web process by default', () => {
    const healthcheck = keyword(runtime, 'HEALTHCHECK')[0]?.getArgumentsContent() ?? '';
    expect(healthcheck).toMatch(/^CMD \["\/usr\/local\/bin\/docker-entrypoint", "healthcheck"\]$/);
    const entrypoint = args(keyword(runtime, 'ENTRYPOINT')[0]);
    expect(entrypoint[0]).toMatch(/\/tini$/);
    expect(entrypoint.slice(1)).toEqual(['--', 'docker-entrypoint']);
    expect(args(keyword(runtime, 'CMD')[0])).toEqual(['web']);
    expect(runs(runtime).join('\n')).toMatch(/apt-get install[^\n]*\btini\b/);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const contextSources = stages.flatMap((stage) =>
      copies(stage)
        .filter((copy) => copy.from === undefined)
        .flatMap((copy) => copy.sources),
    );
    expect(contextSources).toEqual(expect.arrayContaining(['src', 'webhooks', 'bin', 'flows', 'intents']));
    for (const source of contextSources) {
      const sent = filesUnder(source).filter((file) => isInContext(ignore, file));
      expect({ source, sent: sent.length > 0 }).toEqual({ source, sent: true });
    }
    expect(isInContext(ignore, 'src/server.ts')).toBe(true);
    expect(isInContext(ignore, 'src/db/migrations/0001_foundation.sql')).toBe(true);
    expect(isInContext(ignore, 'src/web/chat/chat-frame.html')).toBe(true);
    for (const secretOrJunk of ['.env', 'infra/.env', 'node_modules/x/index.js', '.git/config', 'test/e2e/a.test.ts'])
      expect({ file: secretOrJunk, sent: isInContext(ignore, secretOrJunk) }).toEqual({
        file: secretOrJunk,
        sent: false,
      });
    expect(isInContext(ignore, 'src/config.test.ts')).toBe(false);
  });

  it('places every browser source the web process bundles at start where web-assets looks (dist/src/web)', () => {
    const webAssets = fs.readFileSync(path.join(ROOT, 'src', 'web', 'web-assets.ts'), 'utf8');
    const entryBlock = /const ENTRY_POINTS = \{([\s\S]*?)\} as const/.exec(webAssets)?.[1] ?? '';
    const entries = [...entryBlock.matchAll(/'([\w/.-]+\.(?:ts|css))'/g)].map((match) => match[1]!);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    expect(webAssets).toMatch(/'chat', 'chat-frame\.html'/);
    expect(webAssets).toMatch(/'tsconfig\.json'/);
    const needed = new Set(['chat/chat-frame.html', 'tsconfig.json']);
    const queue = entries.filter((entry) => entry.endsWith('.ts'));
    entries.forEach((entry) => needed.add(entry));
    while (queue.length > 0) {
      const file = queue.pop()!;
      const text = fs.readFileSync(path.join(ROOT, 'src', 'web', file), 'utf8');
      for (const [, specifier] of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
        const imported = path.posix.join(path.posix.dirname(file), `${specifier!}.ts`);
        expect(imported.startsWith('..')).toBe(false);
        if (!needed.has(imported)) queue.push(imported);
        needed.add(imported);
      }
    }
    const placed = runs(stages.find((stage) => stage.name === 'build')!)
      .flatMap((command) => command.split('&&'))
      .map((command) => command.trim().split(/\s+/))
      .filter(([program]) => program === 'cp')
      .flatMap((words) => {
        const [destination = '', ...sources] = words
          .filter((word) => !word.startsWith('-'))
          .slice(1)
          .reverse();
        const target = path.posix.relative('dist/src/web', destination);
        return sources.map((source) => {
          expect(path.posix.join(target, path.posix.basename(source))).toBe(path.posix.relative('src/web', source));
          return path.posix.relative('src/web', source);
        });
      });
    const missing = [...needed].filter(
      (file) => !placed.some((copied) => file === copied || file.startsWith(`${copied}/`)),
    );
    expect(missing).toEqual([]);
    for (const file of needed) expect(fs.existsSync(path.join(ROOT, 'src', 'web', file))).toBe(true);
  });
});

describe('docker-entrypoint.sh', () => {
  const script = fs.readFileSync(path.join(ROOT, 'infra', 'docker-entrypoint.sh'), 'utf8');
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'entrypoint-'));
  const fakeBin = path.join(directory, 'bin');
  const entrypoint = path.join(directory, 'docker-entrypoint');
  fs.mkdirSync(fakeBin);
  // The image's /app is this temporary folder; `node` is a stand-in that prints what it was asked to run.
  fs.writeFileSync(entrypoint, script.replace(/^cd \/app$/m, `cd '${directory}'`));
  fs.writeFileSync(path.join(fakeBin, 'node'), '#!/bin/sh\necho "node $*"\n', { mode: 0o755 });

  /** Runs the entry point without blocking this process (the health check calls servers it runs). */
  const run = (args: string[], env: Record<string, string> = {}, pathPrefix = fakeBin) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('sh', [entrypoint, ...args], { env: { PATH: `${pathPrefix}:/usr/bin:/bin`, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

  it('works from /app and its compiled entries come from the sources that exist', () => {
    expect(script.match(/^cd \/app$/gm)).toHaveLength(1);
    expect(spawnSync('sh', ['-n', path.join(ROOT, 'infra', 'docker-entrypoint.sh')]).status).toBe(0);
    for (const source of ['src/server.ts', 'src/worker.ts', 'src/cli.ts', 'bin/concierge.js'])
      expect(fs.existsSync(path.join(ROOT, source))).toBe(true);
  });

  it.each([
    [[], 'node dist/src/server.js'],
    [['web'], 'node dist/src/server.js'],
    [['worker'], 'node dist/src/worker.js'],
    [['concierge', 'audit', 'verify'], 'node bin/concierge.js audit verify'],
    [['concierge', 'staff', 'add', '--name', 'Front Desk'], 'node bin/concierge.js staff add --name Front Desk'],
    [['echo', 'any', 'command'], 'any command'],
  ])('runs %j as `%s`', async (args, expected) => {
    const result = await run(args);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(expected);
    expect(result.status).toBe(0);
  });

  it('health-checks /healthz on METRICS_PORT when set, else PORT, failing on errors and non-200 answers', async () => {
    const statuses = new Map<number, number>();
    const servers = await Promise.all(
      [200, 503].map(
        (status) =>
          new Promise<http.Server>((resolve) => {
            const server = http.createServer((request, response) => {
              response.writeHead(request.url === '/healthz' ? status : 404).end();
            });
            server.listen(0, '127.0.0.1', () => {
              statuses.set((server.address() as AddressInfo).port, status);
              resolve(server);
            });
          }),
      ),
    );
    try {
      const portAnswering = (status: number) => String([...statuses].find(([, value]) => value === status)![0]);
      const nodeDirectory = path.dirname(process.execPath);
      const check = async (env: Record<string, string>) => (await run(['healthcheck'], env, nodeDirectory)).status;
      expect(await check({ PORT: portAnswering(200) })).toBe(0);
      expect(await check({ PORT: portAnswering(503) })).toBe(1);
      expect(await check({ PORT: portAnswering(503), METRICS_PORT: portAnswering(200) })).toBe(0);
      expect(await check({ PORT: portAnswering(200), METRICS_PORT: portAnswering(503) })).toBe(1);
      expect(await check({ PORT: '1' })).toBe(1);
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });
});
