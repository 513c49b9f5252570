/**
 * What a failed Send API call means for the outbox: a Graph error `{ error: { code, error_subcode, … } }` (or a bare
 * HTTP failure) becomes a SendError whose kind says whether retrying can help. Only codes and subcodes are kept:
 * Graph's own `message` is never copied, so nothing it might quote ends up in our logs.
 */
import { z } from 'zod';
import { SendError, type SendErrorKind } from '../channel-sender';

const graphErrorBodySchema = z.object({
  error: z.object({
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    is_transient: z.boolean().optional(),
    fbtrace_id: z.string().max(64).optional(),
  }),
});

/** Throttling: application (4), user (17), page (32), and calls per hour (613). */
const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 17, 32, 613]);
/** "Unknown error" (1), "service temporarily unavailable" (2), "temporary send message failure" (1200). */
const TEMPORARY_CODES: ReadonlySet<number> = new Set([1, 2, 1200]);

const OUTSIDE_WINDOW = { code: 10, subcode: 2018278 } as const;
const USER_UNAVAILABLE = { code: 551, subcode: 1545041 } as const;
const NO_MATCHING_USER = { code: 100, subcode: 2018001 } as const;
const INVALID_TOKEN_CODE = 190;

/** The SendError for an answer that was not 2xx; `body` is the parsed JSON body, or undefined when it was not JSON. */
export function classifyGraphFailure(httpStatus: number, body: unknown): SendError {
  const parsed = graphErrorBodySchema.safeParse(body);
  if (!parsed.success) {
    const kind = isTransientStatus(httpStatus) ? 'transient' : 'rejected';
    return new SendError(kind, `http_${httpStatus}`, `Graph API answered HTTP ${httpStatus} without a Graph error`);
  }
  const { code, error_subcode: subcode, is_transient: isTransient, fbtrace_id: traceId } = parsed.data.error;
  const providerCode = subcode === undefined ? String(code) : `${code}/${subcode}`;
  const kind = kindOfGraphError(code, subcode, httpStatus, isTransient === true);
  const trace = traceId ? ` (fbtrace_id ${traceId})` : '';
  return new SendError(kind, providerCode, `Graph API error ${providerCode} (HTTP ${httpStatus})${trace}`);
}

/** Permanent meanings first: a known permanent code wins over a 5xx status or an `is_transient` hint. */
export function kindOfGraphError(
  code: number,
  subcode: number | undefined,
  httpStatus: number,
  isTransient = false,
): SendErrorKind {
  if (code === OUTSIDE_WINDOW.code && subcode === OUTSIDE_WINDOW.subcode) return 'window_closed';
  if (code === USER_UNAVAILABLE.code || subcode === USER_UNAVAILABLE.subcode) return 'invalid_recipient';
  if (code === NO_MATCHING_USER.code && subcode === NO_MATCHING_USER.subcode) return 'invalid_recipient';
  if (code === INVALID_TOKEN_CODE) return 'rejected';
  if (RATE_LIMIT_CODES.has(code) || TEMPORARY_CODES.has(code) || isTransient || isTransientStatus(httpStatus))
    return 'transient';
  return 'rejected';
}

function isTransientStatus(httpStatus: number): boolean {
  return httpStatus >= 500 || httpStatus === 429;
}
