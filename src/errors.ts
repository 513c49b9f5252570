/**
 * One typed error hierarchy: a stable `code`, an HTTP status, and a message written by us (never quoting input,
 * so it is safe to log and to return).
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class ValidationError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('malformed', 400, message, options);
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', 404, message);
  }
}

export class UnavailableError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 503, message, options);
  }
}

/** Connection-level database failures: the caller answers 503 so the provider retries. */
const UNAVAILABLE_DB_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', '08003']);

/** Normalises an error thrown by a query into an AppError when its meaning is known. */
export function normalizeDatabaseError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNAVAILABLE_DB_CODES.has(code)) {
    return new UnavailableError('database unavailable', { cause: error });
  }
  if (error instanceof Error && /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(error.message)) {
    return new UnavailableError('database unavailable', { cause: error });
  }
  return error;
}
