/** The PHI machinery every process shares (web, worker, CLI): audit log, consent ledger, patients, secure links, gate. */
import { AuditLog } from '../audit/audit-log';
import type { Config } from '../config';
import { PatientDirectory } from '../identity/patient-directory';
import { SecureLinks } from '../identity/secure-links';
import type { KeyRing } from '../phi/key-ring';
import { ConsentLedger } from './consent-ledger';
import { PhiGate } from './phi-gate';

export type PhiServices = ReturnType<typeof createPhiServices>;

export function createPhiServices(config: Pick<Config, 'publicUrl'>, keyRing: KeyRing, now?: () => Date) {
  const audit = new AuditLog(keyRing);
  const consent = new ConsentLedger(keyRing, audit);
  const directory = new PatientDirectory(keyRing);
  const links = new SecureLinks({ keyRing, audit, publicUrl: config.publicUrl, now });
  const gate = new PhiGate({ directory, ledger: consent, audit, links });
  return { audit, consent, directory, links, gate };
}
