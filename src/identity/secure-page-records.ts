/**
 * What the secure page may learn about patients, and nothing more: which patient behind a link has a given date of
 * birth (with the phone on record that gets the code), marking the contact verified, sending the code through the
 * outbox (the real SMS path), and the withheld information itself, each disclosure audited.
 */
import type { Kysely } from 'kysely';
import type { AuditLog } from '../audit/audit-log';
import type { Database } from '../db/schema';
import type { Language } from '../nlu/nlu-engine';
import type { KeyRing } from '../phi/key-ring';
import { describeAppointment } from '../scheduling/appointment-wording';
import type { UpcomingAppointments } from '../scheduling/upcoming-appointments';
import type { LinkSubject, PatientOnRecord, WithheldContent } from '../web/secure/secure-page-types';
import type { PatientDirectory } from './patient-directory';

export interface SecurePageRecordsDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly audit: AuditLog;
  readonly directory: PatientDirectory;
  readonly appointments: UpcomingAppointments;
  readonly timeZone: () => Promise<string>;
  /** Queues an SMS to a phone (a system message: no quiet hours, never classified PHI). */
  readonly sendSms: (input: { practiceId: string; phone: string; text: string; lang: Language }) => Promise<void>;
  readonly now?: () => Date;
}

const HEADINGS: Record<string, Record<Language, string>> = {
  appointments: { en: 'Your upcoming appointments', es: 'Sus próximas citas' },
};
const NO_APPOINTMENTS: Record<Language, string> = {
  en: 'You have no upcoming appointments.',
  es: 'No tiene citas próximas.',
};

export class SecurePageRecords {
  constructor(private readonly deps: SecurePageRecordsDeps) {}

  async findPatientsForLink(
    link: LinkSubject,
    birthDate: string,
    typedPhone?: string,
  ): Promise<readonly PatientOnRecord[]> {
    const { db, directory } = this.deps;
    if (link.patientId) {
      if (!(await directory.hasBirthDate(db, link.patientId, birthDate))) return [];
      const patient = await directory.get(db, link.patientId);
      return patient?.phone ? [{ patientId: patient.id, phone: patient.phone }] : [];
    }
    // A phone-number contact is the phone: what the page asked for (web chat, Messenger) counts only otherwise.
    const phone = (await this.contactPhone(link.contactId)) ?? typedPhone;
    if (!phone) return [];
    const patient = await directory.findByPhoneAndBirthDate(db, link.practiceId, phone, birthDate);
    return patient?.phone ? [{ patientId: patient.id, phone: patient.phone }] : [];
  }

  async sendCode(input: { practiceId: string; phone: string; text: string; lang: Language }): Promise<void> {
    await this.deps.sendSms(input);
  }

  async markVerified(input: {
    contactId: string;
    patientId: string;
    conversationId: string;
    requestId: string;
  }): Promise<void> {
    const { db, directory, audit } = this.deps;
    await db.transaction().execute(async (trx) => {
      await directory.markVerified(trx, input.contactId, input.patientId, this.now());
      await audit.append(trx, {
        actor: `patient:${input.patientId}`,
        action: 'identity.contact_verified',
        patientRef: `patient:${input.patientId}`,
        purpose: 'identity',
        requestId: input.requestId,
        details: { contact: input.contactId, conversation: input.conversationId },
      });
    });
  }

  async withheldContent(input: {
    patientId: string;
    topic: string;
    lang: Language;
    requestId: string;
  }): Promise<WithheldContent> {
    const { db, audit, appointments } = this.deps;
    const heading = HEADINGS[input.topic]?.[input.lang] ?? HEADINGS.appointments![input.lang];
    const access = { actor: `patient:${input.patientId}`, purpose: 'patient_request', requestId: input.requestId };
    const upcoming = await appointments.list(db, input.patientId, this.now(), access);
    const timeZone = await this.deps.timeZone();
    await audit.append(db, {
      ...access,
      action: 'phi.disclosed',
      patientRef: `patient:${input.patientId}`,
      details: { channel: 'secure_page', topic: input.topic },
    });
    const items = upcoming.map((appointment) => describeAppointment(appointment, input.lang, timeZone));
    return { heading, items: items.length > 0 ? items : [NO_APPOINTMENTS[input.lang]] };
  }

  /** The E.164 phone of an SMS or WhatsApp contact; undefined for channels without one (Messenger, web chat). */
  private async contactPhone(contactId: string): Promise<string | undefined> {
    const row = await this.deps.db
      .selectFrom('contacts')
      .select(['channel', 'address_enc'])
      .where('id', '=', contactId)
      .executeTakeFirst();
    if (!row || (row.channel !== 'sms' && row.channel !== 'whatsapp')) return undefined;
    return this.deps.keyRing.decrypt(row.address_enc).replace(/^whatsapp:/, '');
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}
