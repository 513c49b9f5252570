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
import type { CodeToSend, LinkSubject, PatientOnRecord, WithheldContent } from '../web/secure/secure-page-types';
import type { PatientDirectory, PatientRecord } from './patient-directory';
import { PHONE_CHANNELS } from './secure-links';

export interface SecurePageRecordsDeps {
  readonly db: Kysely<Database>;
  readonly keyRing: KeyRing;
  readonly audit: AuditLog;
  readonly directory: PatientDirectory;
  readonly appointments: UpcomingAppointments;
  readonly timeZone: () => Promise<string>;
  /** Queues an SMS to a phone (a system message: no quiet hours, never classified PHI). */
  readonly sendSms: (input: { practiceId: string; phone: string; text: string; lang: Language }) => Promise<void>;
  /** Set when email is configured: codes may then go to the address on record. */
  readonly sendEmail?: (input: { to: string; subject: string; text: string }) => Promise<void>;
  readonly now?: () => Date;
}

const HEADINGS: Record<string, Record<Language, string>> = {
  appointments: { en: 'Your upcoming appointments', es: 'Sus próximas citas' },
};
/** A secure link's topic for a staff reply kept sealed in staff_secure_messages: `staff-message:<id>`. */
export const STAFF_MESSAGE_TOPIC = 'staff-message:';

const STAFF_MESSAGE_HEADING: Record<Language, string> = {
  en: 'A message from our team',
  es: 'Un mensaje de nuestro equipo',
};
const STAFF_MESSAGE_GONE: Record<Language, string> = {
  en: 'This message is not available. Please call our office.',
  es: 'Este mensaje no está disponible. Llame a nuestra oficina.',
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
      return onRecord(await directory.get(db, link.patientId));
    }
    // A phone-number contact is the phone: what the page asked for (web chat, Messenger) counts only otherwise.
    const phone = (await this.contactPhone(link.contactId)) ?? typedPhone;
    if (!phone) return [];
    return onRecord(await directory.findByPhoneAndBirthDate(db, link.practiceId, phone, birthDate));
  }

  async sendCode(input: CodeToSend): Promise<void> {
    if (input.via === 'sms') {
      await this.deps.sendSms({
        practiceId: input.practiceId,
        phone: input.address,
        text: input.text,
        lang: input.lang,
      });
      return;
    }
    if (!this.deps.sendEmail) throw new Error('a code by email was asked for, but email is not configured');
    await this.deps.sendEmail({ to: input.address, subject: input.subject, text: input.text });
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
    if (input.topic.startsWith(STAFF_MESSAGE_TOPIC)) return this.staffMessage(input);
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

  /** A staff reply sent behind the link: shown only to the patient it was written to (when that was known). */
  private async staffMessage(input: { patientId: string; topic: string; lang: Language; requestId: string }) {
    const id = input.topic.slice(STAFF_MESSAGE_TOPIC.length);
    const row = /^[0-9a-f-]{36}$/.test(id)
      ? await this.deps.db.selectFrom('staff_secure_messages').selectAll().where('id', '=', id).executeTakeFirst()
      : undefined;
    const heading = STAFF_MESSAGE_HEADING[input.lang];
    if (!row || row.body_enc === null || (row.patient_id !== null && row.patient_id !== input.patientId)) {
      return { heading, items: [STAFF_MESSAGE_GONE[input.lang]] };
    }
    await this.deps.audit.append(this.deps.db, {
      actor: `patient:${input.patientId}`,
      action: 'phi.disclosed',
      patientRef: `patient:${input.patientId}`,
      purpose: 'patient_request',
      requestId: input.requestId,
      details: { channel: 'secure_page', topic: 'staff_message', conversation: row.conversation_id },
    });
    return { heading, items: [this.deps.keyRing.decrypt(row.body_enc)] };
  }

  /** The E.164 phone of an SMS or WhatsApp contact; undefined for channels without one (Messenger, web chat). */
  private async contactPhone(contactId: string): Promise<string | undefined> {
    const row = await this.deps.db
      .selectFrom('contacts')
      .select(['channel', 'address_enc'])
      .where('id', '=', contactId)
      .executeTakeFirst();
    if (!row || !PHONE_CHANNELS.includes(row.channel)) return undefined;
    return this.deps.keyRing.decrypt(row.address_enc).replace(/^whatsapp:/, '');
  }

  private now(): Date {
    return (this.deps.now ?? (() => new Date()))();
  }
}

/** Where a patient's code can go: the phone and email on record. */
function onRecord(patient: PatientRecord | undefined): PatientOnRecord[] {
  if (!patient || (!patient.phone && !patient.email)) return [];
  return [
    {
      patientId: patient.id,
      ...(patient.phone ? { phone: patient.phone } : {}),
      ...(patient.email ? { email: patient.email } : {}),
    },
  ];
}
