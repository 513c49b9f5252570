/**
 * pino logger with PHI redaction. Log lines are constant messages with ids in fields; bodies never belong in a log,
 * and these paths catch them if someone slips.
 */
import os from 'node:os';
import pino, { type Logger } from 'pino';
import { AppError } from '../errors';

export type { Logger } from 'pino';

/** Field names that may carry PHI anywhere in a log object (message texts, names, addresses, tokens). */
export const REDACTED_FIELDS = [
  'text',
  'body',
  'Body',
  'message',
  'name',
  'firstName',
  'lastName',
  'phone',
  'email',
  'address',
  'dob',
  'birthDate',
  'From',
  'To',
  'token',
  'payload',
  'quickReplies',
] as const;

const redactPaths = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      // One JSON object per line for a log pipeline: ISO time, the level by name, the pod (host) it came from.
      base: { service: 'clinic-concierge', host: os.hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...redactPaths, 'req.headers.cookie', 'req.headers.authorization'], censor: '[redacted]' },
      // An Error's message may quote input; keep its type and code, drop the text.
      serializers: { err: serializeError },
    },
    destination,
  );
}

function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    code: typeof code === 'string' || typeof code === 'number' ? code : undefined,
    // Our own messages never quote input; foreign ones might.
    message: error instanceof AppError ? error.message : undefined,
    stack: stackFrames(error),
  };
}

/** Stack frames without the first line (which repeats the message). */
function stackFrames(error: Error): string | undefined {
  return error.stack?.split('\n').slice(1).join('\n');
}
