/**
 * A fake EHR speaking HL7 v2 over MLLP on 127.0.0.1, like a real EHR's interface engine: it receives our SRM
 * requests and acknowledges them (AA by default; AE/AR, or no ACK at all, when told), and its outbound side sends SIU
 * messages to our listener and hands back the ACK it got.
 *
 * Its inbound side frames and parses with `@medplum/hl7`'s Hl7Connection, an MLLP implementation independent of the
 * adapter's own; its outbound side frames by hand, so the adapter is checked against code it does not share.
 */
import '../../src/emr/demo/websocket-global';
import crypto from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Hl7Message, Hl7Segment } from '@medplum/core';
import { Hl7Connection, type Hl7MessageEvent } from '@medplum/hl7';

export type FakeEhrAnswer = 'AA' | 'AE' | 'AR' | 'none';

/** One SRM the fake received, parsed. */
export interface ReceivedRequest {
  /** e.g. 'SRM^S01'. */
  readonly messageType: string;
  readonly controlId: string;
  /** ARQ-1.1 and ARQ-2.1. */
  readonly placerId: string;
  readonly fillerId: string;
  readonly message: Hl7Message;
}

const START_BLOCK = 0x0b;
const END_BLOCK = Buffer.from([0x1c, 0x0d]);

export class FakeHl7v2Ehr {
  readonly received: ReceivedRequest[] = [];
  private answer: FakeEhrAnswer = 'AA';
  private errorCode: string | undefined;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      const connection = new Hl7Connection(socket);
      connection.addEventListener('message', (event: Hl7MessageEvent) =>
        this.receive(socket, event.message.toString()),
      );
    });
  }

  /** Listens on 127.0.0.1 on a free port. */
  static async start(): Promise<FakeHl7v2Ehr> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new FakeHl7v2Ehr(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** How the following requests are acknowledged; AE/AR carry `errorCode` in ERR-3 when given. */
  answerWith(answer: FakeEhrAnswer, errorCode?: string): void {
    this.answer = answer;
    this.errorCode = errorCode;
  }

  /** The EHR's outbound interface: sends `message` to an MLLP listener and resolves with its ACK. */
  async sendTo(port: number, message: Hl7Message | string): Promise<Hl7Message> {
    const text = typeof message === 'string' ? message : message.toString();
    return Hl7Message.parse(await exchangeFrame(port, frame(Buffer.from(text, 'utf8'))));
  }

  /** Sends raw bytes in one frame (garbage, say) and resolves with the answer's text. */
  async sendRawTo(port: number, payload: Buffer): Promise<string> {
    return exchangeFrame(port, frame(payload));
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private receive(socket: net.Socket, text: string): void {
    const message = Hl7Message.parse(text);
    const header = message.getSegment('MSH');
    const request = message.getSegment('ARQ');
    this.received.push({
      messageType: `${header?.getComponent(9, 1)}^${header?.getComponent(9, 2)}`,
      controlId: header?.getField(10)?.toString() ?? '',
      placerId: request?.getComponent(1, 1) ?? '',
      fillerId: request?.getComponent(2, 1) ?? '',
      message,
    });
    if (this.answer === 'none') return;
    const errSegment =
      this.answer !== 'AA' && this.errorCode !== undefined
        ? new Hl7Segment(['ERR', '', '', `${this.errorCode}^Rejected^HL70357`, 'E'])
        : undefined;
    const ack = message.buildAck({ ackCode: this.answer, ...(errSegment ? { errSegment } : {}) });
    socket.write(frame(Buffer.from(ack.toString(), 'utf8')));
  }
}

function frame(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([START_BLOCK]), payload, END_BLOCK]);
}

/** Connects, writes, and resolves with the first frame that comes back. */
function exchangeFrame(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(END_BLOCK);
      if (end < 0) return;
      socket.end();
      resolve(received.subarray(received.indexOf(START_BLOCK) + 1, end).toString('utf8'));
    });
    socket.once('close', () => reject(new Error('connection closed before an answer')));
    socket.write(bytes);
  });
}

// ---- SIU messages (HL7 v2.5 chapter 10), built as the EHR's interface engine would ----

export interface SiuPatient {
  readonly id: string;
  readonly family: string;
  readonly given: string;
  /** YYYY-MM-DD. */
  readonly birthDate: string;
  /** E.164, sent as a US home number in XTN-6/7. */
  readonly phone?: string;
  readonly email?: string;
}

export interface SiuSpec {
  readonly trigger: string;
  readonly fillerId: string;
  readonly placerId?: string;
  readonly start: Date;
  readonly end: Date;
  /** SCH-11 (the older TQ field) or TQ1 (v2.5). Default SCH-11. */
  readonly timingIn?: 'SCH-11' | 'TQ1';
  /** The UTC offset the EHR writes local times with, e.g. '-0400'. Default '-0400'. */
  readonly utcOffset?: string;
  /** Write local times without their offset (as many EHRs do: the receiver knows the practice's zone). */
  readonly omitOffset?: boolean;
  /** SCH-25, table 0278 (Booked, Cancelled, ...). */
  readonly fillerStatus?: string;
  readonly patient: SiuPatient;
  readonly service: { readonly code: string; readonly text: string };
  readonly practitioner: {
    readonly id: string;
    readonly family: string;
    readonly given: string;
    readonly prefix?: string;
  };
  readonly location: { readonly id: string; readonly name: string };
}

/** An SIU^S12–S17 with MSH, SCH, TQ1 (when asked), PID, RGS, AIS, AIP and AIL. */
export function siuMessage(spec: SiuSpec): Hl7Message {
  const offset = spec.utcOffset ?? '-0400';
  const timestamp = (instant: Date) => localTimestamp(instant, offset).slice(0, spec.omitOffset ? 14 : undefined);
  const start = timestamp(spec.start);
  const end = timestamp(spec.end);
  const minutes = String(Math.round((spec.end.getTime() - spec.start.getTime()) / 60_000));
  const { patient, practitioner, location, service } = spec;
  const controlId = `EHR${crypto.randomInt(1e9)}`;
  const segments = [
    `MSH|^~\\&|FAKE-EHR|FAKE-HOSPITAL|CLINIC-CONCIERGE|TEST-PRACTICE|${localTimestamp(new Date(), offset)}||SIU^${spec.trigger}^SIU_S12|${controlId}|P|2.5`,
    segment('SCH', {
      1: spec.placerId ? `${spec.placerId}^CLINIC-CONCIERGE` : '',
      2: `${spec.fillerId}^FAKE-EHR`,
      7: 'ROUTINE^Routine^HL70276',
      8: `${service.code}^${service.text}^L`,
      9: minutes,
      10: 'min',
      11: spec.timingIn === 'TQ1' ? '' : `^^${minutes}^${start}^${end}`,
      25: spec.fillerStatus ?? '',
    }),
    ...(spec.timingIn === 'TQ1' ? [segment('TQ1', { 1: '1', 7: start, 8: end })] : []),
    segment('PID', {
      1: '1',
      3: `${patient.id}^^^FAKE-EHR^MR`,
      5: `${patient.family}^${patient.given}`,
      7: patient.birthDate.replace(/-/g, ''),
      8: 'U',
      13: telecom(patient),
    }),
    'RGS|1|A',
    segment('AIS', { 1: '1', 2: 'A', 3: `${service.code}^${service.text}^L`, 4: start, 7: minutes, 8: 'min' }),
    segment('AIP', {
      1: '1',
      2: 'A',
      3: `${practitioner.id}^${practitioner.family}^${practitioner.given}^^^${practitioner.prefix ?? ''}`,
      4: 'D^Doctor',
      6: start,
    }),
    segment('AIL', { 1: '1', 2: 'A', 3: `${location.id}^^^^^^^^${location.name}`, 6: start }),
  ];
  return Hl7Message.parse(segments.join('\r'));
}

/** A segment from its fields by number (SEG-n), so no one counts pipes. */
function segment(name: string, fields: Readonly<Record<number, string>>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, index) => fields[index + 1] ?? '')].join('|');
}

/** PID-13: the home phone (XTN-2 PRN, XTN-3 PH, XTN-6 area code, XTN-7 local number) and the e-mail (NET). */
function telecom(patient: SiuPatient): string {
  const entries: string[] = [];
  const national = patient.phone?.replace(/^\+1/, '');
  if (national !== undefined) entries.push(`^PRN^PH^^1^${national.slice(0, 3)}^${national.slice(3)}`);
  if (patient.email !== undefined) entries.push(`^NET^Internet^${patient.email}`);
  return entries.join('~');
}

/** YYYYMMDDHHMMSS±ZZZZ: the instant on the clocks of a zone `offset` from UTC. */
export function localTimestamp(instant: Date, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
  const local = new Date(instant.getTime() + minutes * 60_000);
  return `${local.toISOString().slice(0, 19).replace(/[-T:]/g, '')}${offset}`;
}
