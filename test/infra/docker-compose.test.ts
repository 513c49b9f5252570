/**
 * infra/docker-compose.yml against the compose-spec schema, and what issue 9 asks of it: two web and two worker
 * replicas behind a round-robin proxy that upgrades the web chat socket, PostgreSQL and Redis (persistent, noeviction)
 * on named volumes, a one-shot migration first, health checks, and settings from infra/.env (infra/.env.example lists
 * them with placeholders) that make a valid production configuration.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { configSchema, loadConfig } from '../../src/config';
import { WEBCHAT_PATH } from '../../webhooks/webchat/webchat-socket';
import { type ValueMap, isValueMap } from '../support/helm-template-renderer';
import { composeSchemaProblems } from '../support/manifest-schemas';

const INFRA = path.join(__dirname, '..', '..', 'infra');
const composeText = fs.readFileSync(path.join(INFRA, 'docker-compose.yml'), 'utf8');
const compose: unknown = YAML.parse(composeText, { merge: true });
const envExample = fs.readFileSync(path.join(INFRA, '.env.example'), 'utf8');
const nginxConf = fs.readFileSync(path.join(INFRA, 'nginx.conf'), 'utf8');

function map(value: unknown, what: string): ValueMap {
  if (!isValueMap(value)) throw new Error(`${what} is not a map`);
  return value;
}

function service(name: string): ValueMap {
  return map(map(map(compose, 'compose').services, 'services')[name], `service ${name}`);
}

function replicas(name: string): number {
  const deploy = service(name).deploy;
  return isValueMap(deploy) && typeof deploy.replicas === 'number' ? deploy.replicas : 1;
}

/** `a=b` lines of an env file; with `commented`, the `# KEY=value` examples too. */
function envAssignments(text: string, commented: boolean): Map<string, string> {
  const pattern = commented ? /^#?\s?([A-Z][A-Z0-9_]*)=(.*)$/ : /^([A-Z][A-Z0-9_]*)=(.*)$/;
  return new Map(
    text
      .split('\n')
      .map((line) => pattern.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1]!, match[2]!]),
  );
}

/** Compose interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error}, $$ for a literal $. */
function interpolate(text: string, variables: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$\$|\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g,
    (whole, name?: string, operator?: string, rest?: string) => {
      if (whole === '$$') return '$';
      const value = variables.get(name!);
      if (value !== undefined && value !== '') return value;
      if (operator === '?') throw new Error(`${name}: ${rest}`);
      return operator === '-' ? rest! : '';
    },
  );
}

function durationSeconds(value: unknown): number {
  const match = /^(\d+)(s|m)$/.exec(String(value));
  if (!match) throw new Error(`unexpected duration ${String(value)}`);
  return Number(match[1]) * (match[2] === 'm' ? 60 : 1);
}

function nginxBlock(header: RegExp): string {
  const start = nginxConf.search(header);
  if (start === -1) throw new Error(`no block ${header.source} in nginx.conf`);
  let depth = 0;
  for (let index = nginxConf.indexOf('{', start); index < nginxConf.length; index += 1) {
    if (nginxConf[index] === '{') depth += 1;
    if (nginxConf[index] === '}') depth -= 1;
    if (depth === 0) return nginxConf.slice(start, index + 1);
  }
  throw new Error('unbalanced nginx.conf');
}

const APP_SERVICES = ['migrate', 'web', 'worker'];

describe('docker-compose.yml', () => {
  it('is a valid Compose file', () => {
    expect(composeSchemaProblems(compose)).toEqual([]);
  });

  it('runs two web and two worker processes of the image, the migration once before them', () => {
    expect(replicas('web')).toBe(2);
    expect(replicas('worker')).toBe(2);
    expect(service('web').command).toEqual(['web']);
    expect(service('worker').command).toEqual(['worker']);
    expect(service('migrate').command).toEqual(['concierge', 'migrate']);
    expect(service('migrate').restart).toBe('no');
    for (const name of ['web', 'worker']) {
      expect(service(name).depends_on).toMatchObject({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
    }
  });

  it('runs the app containers as a non-root user on a read-only file system with /tmp writable', () => {
    for (const name of APP_SERVICES) {
      const app = service(name);
      expect(app.build).toMatchObject({ context: '..', dockerfile: 'infra/Dockerfile' });
      expect(String(app.user)).toMatch(/^[1-9]\d*(:\d+)?$/);
      expect(app.read_only).toBe(true);
      expect(app.tmpfs).toContain('/tmp');
      expect(app.cap_drop).toEqual(['ALL']);
      expect(map(app.environment, 'environment')).toMatchObject({ NODE_ENV: 'production', DATA_DIR: '/tmp/concierge' });
    }
  });

  it('keeps PostgreSQL and Redis data on named volumes, Redis with AOF and noeviction for BullMQ', () => {
    const volumes = map(map(compose, 'compose').volumes, 'volumes');
    const mountedVolume = (name: string, target: string) => {
      const mount = (service(name).volumes as unknown[]).map(String).find((entry) => entry.endsWith(`:${target}`));
      const volume = mount?.split(':')[0];
      expect(volume !== undefined && volume in volumes).toBe(true);
    };
    expect(String(service('postgres').image)).toMatch(/^postgres:1[56]([.-]|$)/);
    mountedVolume('postgres', '/var/lib/postgresql/data');
    expect(String(service('redis').image)).toMatch(/^redis:7([.-]|$)/);
    mountedVolume('redis', '/data');
    const redisCommand = (service('redis').command as unknown[]).join(' ');
    expect(redisCommand).toMatch(/--appendonly yes/);
    expect(redisCommand).toMatch(/--appendfsync everysec/);
    expect(redisCommand).toMatch(/--maxmemory-policy noeviction/);
  });

  it('health-checks every long-running service, the app through the image entry point', () => {
    for (const name of Object.keys(map(map(compose, 'compose').services, 'services'))) {
      if (name === 'migrate') continue;
      const test = map(service(name).healthcheck, `${name} healthcheck`).test;
      expect(Array.isArray(test) && test.length > 1).toBe(true);
    }
    for (const name of ['web', 'worker'])
      expect(map(service(name).healthcheck, 'healthcheck').test).toEqual([
        'CMD',
        '/usr/local/bin/docker-entrypoint',
        'healthcheck',
      ]);
    expect(map(service('worker').environment, 'environment').METRICS_PORT).toBeDefined();
    expect(durationSeconds(service('worker').stop_grace_period)).toBeGreaterThanOrEqual(60);
  });

  it('puts a round-robin proxy in front of the web replicas that upgrades the web chat socket', () => {
    const proxy = service('proxy');
    expect(proxy.depends_on).toMatchObject({ web: { condition: 'service_healthy' } });
    expect(proxy.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    const upstream = nginxBlock(/upstream concierge_web\s*\{/);
    expect(upstream).toMatch(/server web:3000\b/);
    expect(upstream).not.toMatch(/\b(ip_hash|hash|least_conn)\b/);
    const socket = nginxBlock(new RegExp(`location = ${WEBCHAT_PATH}\\s*\\{`));
    expect(socket).toMatch(/proxy_pass http:\/\/concierge_web;/);
    expect(socket).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(socket).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(socket).toMatch(/proxy_set_header Host \$host;/);
    expect(nginxConf).toMatch(/proxy_http_version 1\.1;/);
    expect(nginxBlock(/location = \/metrics\s*\{/)).toMatch(/return 404;/);
  });

  it('takes every secret from infra/.env, none written in the file', () => {
    const services = Object.keys(map(map(compose, 'compose').services, 'services'));
    for (const name of services) {
      for (const [key, value] of Object.entries(map(service(name).environment ?? {}, 'environment'))) {
        if (/PASSWORD|SECRET|TOKEN|KEYS/.test(key)) expect(String(value)).toMatch(/^\$\{[A-Z_]+:\?[^}]+\}$/);
        if (/_URL$/.test(key)) expect(String(value)).toMatch(/^[a-z]+:\/\/[a-z]*:\$\{[A-Z_]+:\?[^}]+\}@/);
      }
    }
    for (const name of APP_SERVICES) expect(service(name).env_file).toEqual(['.env']);
  });
});

describe('infra/.env.example', () => {
  const composeVariables = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!));
  const configKeys = new Set(Object.keys(configSchema.shape));

  it('names only settings the product or the compose file reads, secrets as placeholders', () => {
    const unknown = [...envAssignments(envExample, true).keys()].filter(
      (name) => !configKeys.has(name) && !composeVariables.has(name),
    );
    expect(unknown).toEqual([]);
    const required = envAssignments(envExample, false);
    for (const secret of ['PHI_KEYS', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'])
      expect(required.get(secret)).toBe('REPLACE_ME');
  });

  it('with its placeholders filled in, gives the web, worker and migrate containers a valid production config', () => {
    const filled = new Map(
      [...envAssignments(envExample, false)].map(([name, value]) => [
        name,
        value !== 'REPLACE_ME'
          ? value
          : name === 'PHI_KEYS'
            ? `k1:${Buffer.alloc(32, 7).toString('base64')}`
            : 'a1b2c3',
      ]),
    );
    const interpolated: unknown = YAML.parse(interpolate(composeText, filled), { merge: true });
    for (const name of APP_SERVICES) {
      const environment = map(map(map(interpolated, 'compose').services, 'services')[name], name).environment;
      const serviceEnvironment = Object.entries(map(environment, 'environment')).map(([key, value]) => [
        key,
        String(value),
      ]);
      const config = loadConfig({ ...Object.fromEntries(filled), ...Object.fromEntries(serviceEnvironment) });
      expect(config.NODE_ENV).toBe('production');
      expect(config.DATABASE_URL).toBe('postgres://concierge:a1b2c3@postgres:5432/concierge');
      expect(config.REDIS_URL).toBe('redis://:a1b2c3@redis:6379');
    }
    expect(() => interpolate(composeText, new Map())).toThrow(/POSTGRES_PASSWORD|REDIS_PASSWORD/);
  });
});
