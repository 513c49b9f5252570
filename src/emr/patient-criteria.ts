/**
 * Patient criteria shared by every adapter: checked before they reach an EHR (an empty search would list everyone;
 * a malformed date is our bug, not the EHR's), and names compared whole, since FHIR string search matches prefixes.
 */
import { ValidationError } from '../errors';
import type { PatientCriteria } from './emr-adapter';

const E164 = /^\+[1-9]\d{6,14}$/;
const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Throws a ValidationError unless at least one criterion is given and each is well formed. */
export function assertPatientCriteria(criteria: PatientCriteria): void {
  const { phone, birthDate, family, given } = criteria;
  if (phone === undefined && birthDate === undefined && family === undefined && given === undefined) {
    throw new ValidationError('patient criteria are empty');
  }
  if (phone !== undefined && !E164.test(phone)) throw new ValidationError('patient phone is not E.164');
  if (birthDate !== undefined && !ISO_DATE.test(birthDate))
    throw new ValidationError('patient birth date is not YYYY-MM-DD');
  if (family?.trim() === '' || given?.trim() === '') throw new ValidationError('patient name criterion is blank');
}

/** Whole-name equality ignoring case and surrounding spaces ('Pat' is not 'Patient'). */
export function isSameName(recorded: string | undefined, wanted: string): boolean {
  if (recorded === undefined) return false;
  return recorded.trim().localeCompare(wanted.trim(), 'en', { sensitivity: 'accent' }) === 0;
}
