/**
 * Errors of an EHR call. The message names the operation and the EHR's issue code only: queries and EHR diagnostics
 * may quote PHI (phones, names, birth dates), so they stay out of messages and logs.
 */
import { AppError } from '../errors';

/** The EHR refused or failed a request; 502 because the fault is upstream of us. */
export class EmrRequestError extends AppError {
  constructor(
    readonly operation: string,
    readonly issueCode: string,
  ) {
    super('emr_request_failed', 502, `EMR ${operation} failed: ${issueCode}`);
  }
}

/**
 * The EHR could not be reached, failed (5xx) or did not answer in time. A write may or may not have happened, so the
 * caller checks before it retries; 503 because the request can be tried again later.
 */
export class EmrUnavailableError extends AppError {
  constructor(
    readonly operation: string,
    readonly reason: 'timeout' | 'unreachable' | 'server-error',
  ) {
    super('emr_unavailable', 503, `EMR ${operation} unavailable: ${reason}`);
  }
}
