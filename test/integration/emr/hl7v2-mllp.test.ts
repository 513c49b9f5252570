/**
 * The pieces under the hl7v2 adapter: MLLP framing however TCP splits or joins the bytes, the listener answering in
 * order on a real loopback socket, HL7 escaping, strict timestamps (with and without a UTC offset, across a DST
 * change), and how SIU fields the fake EHR does not exercise are read (cell phones, formatted numbers, durations).
 */
import '../../../src/emr/demo/websocket-global';
import net from 'node:net';
import { Hl7Message } from '@medplum/core';
import { escapeValue, parseTimestamp, unescapeValue } from '../../../src/emr/hl7v2/hl7-encoding';
import { encodeFrame, MllpFrameReader, MllpFrameTooLargeError } from '../../../src/emr/hl7v2/mllp-framing';
import { MllpListener } from '../../../src/emr/hl7v2/mllp-listener';
import { parseSiuEvent, SiuMessageError } from '../../../src/emr/hl7v2/siu-events';

const VT = Buffer.from([0x0b]);
const END = Buffer.from([0x1c, 0x0d]);

describe('MLLP framing', () => {
  test('a frame delivered one byte at a time comes out once, whole', () => {
    const reader = new MllpFrameReader();
    const bytes = encodeFrame('MSH|^~\\&|A|B\rSCH|1|Ünïcode');
    const frames = [...bytes].flatMap((byte) => reader.push(Buffer.from([byte])));
    expect(frames).toEqual(['MSH|^~\\&|A|B\rSCH|1|Ünïcode']);
  });

  test('two frames in one chunk, with line noise around them, come out in order', () => {
    const reader = new MllpFrameReader();
    const chunk = Buffer.concat([
      Buffer.from('\r\nnoise'),
      encodeFrame('first'),
      Buffer.from('\n'),
      encodeFrame('second'),
    ]);
    expect(reader.push(chunk)).toEqual(['first', 'second']);
  });

  test('a sender that restarts mid-frame: the frame it began again is the one taken', () => {
    const reader = new MllpFrameReader();
    expect(reader.push(Buffer.concat([VT, Buffer.from('half a mess'), encodeFrame('whole')]))).toEqual(['whole']);
  });

  test('a frame that never ends is refused past the size limit', () => {
    const reader = new MllpFrameReader(16);
    expect(() => reader.push(Buffer.concat([VT, Buffer.alloc(32, 0x41)]))).toThrow(MllpFrameTooLargeError);
  });
});

describe('the MLLP listener', () => {
  let listener: MllpListener;
  beforeAll(async () => {
    listener = await MllpListener.start({
      host: '127.0.0.1',
      port: 0,
      // Answers later the earlier a message came, so only in-order handling keeps the answers in order.
      handle: async (message) => {
        const delay = message === 'one' ? 40 : 0;
        await new Promise((resolve) => setTimeout(resolve, delay));
        return `ack ${message}`;
      },
    });
  });
  afterAll(async () => {
    await listener.close();
  });

  function collectFrames(socket: net.Socket, count: number): Promise<string[]> {
    const reader = new MllpFrameReader();
    const frames: string[] = [];
    return new Promise((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        frames.push(...reader.push(chunk));
        if (frames.length >= count) resolve(frames);
      });
    });
  }

  test('messages written together are answered in the order they came', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: listener.port });
    const answers = collectFrames(socket, 3);
    socket.write(Buffer.concat([encodeFrame('one'), encodeFrame('two'), encodeFrame('three')]));
    expect(await answers).toEqual(['ack one', 'ack two', 'ack three']);
    socket.destroy();
  });

  test('a message split across writes is answered once it is whole', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: listener.port });
    const answers = collectFrames(socket, 1);
    socket.write(Buffer.concat([VT, Buffer.from('sp')]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(Buffer.concat([Buffer.from('lit'), END]));
    expect(await answers).toEqual(['ack split']);
    socket.destroy();
  });
});

describe('HL7 values and timestamps', () => {
  test('delimiters in a value are escaped and read back', () => {
    const value = "O'Brien | A^B & C ~ D \\ E";
    const message = Hl7Message.parse(`MSH|^~\\&|A|B\rPID|1||x||${escapeValue(value)}^Test`);
    expect(unescapeValue(message.getSegment('PID')!.getComponent(5, 1))).toBe(value);
    expect(message.getSegment('PID')!.getComponent(5, 2)).toBe('Test');
    expect(escapeValue('line one\r\nline two')).toBe('line one line two');
  });

  test('timestamps are strict and honour their offset, or the practice zone without one', () => {
    const zone = 'America/New_York';
    expect(parseTimestamp('20390615143000-0400', zone)).toEqual(new Date('2039-06-15T18:30:00Z'));
    expect(parseTimestamp('20390615143000+0000', zone)).toEqual(new Date('2039-06-15T14:30:00Z'));
    expect(parseTimestamp('203906151430', zone)).toEqual(new Date('2039-06-15T18:30:00Z'));
    // After the clocks go back (Sunday 6 November 2039) the same wall time is an hour later in UTC.
    expect(parseTimestamp('203911071430', zone)).toEqual(new Date('2039-11-07T19:30:00Z'));
    expect(parseTimestamp('2039061514', zone)).toEqual(new Date('2039-06-15T18:00:00Z'));
    for (const bad of ['20391315143000', '20390631', '20390615256000', '2039-06-15T14:30', 'garbage', '2039']) {
      expect(parseTimestamp(bad, zone)).toBeUndefined();
    }
  });
});

describe('reading an SIU', () => {
  const header = 'MSH|^~\\&|EHR|HOSP|CC|PR|20390613080000||SIU^S12^SIU_S12|M1|P|2.5';
  /** A segment from its fields by number (SEG-n). */
  const segment = (name: string, fields: Readonly<Record<number, string>>) =>
    [name, ...Array.from({ length: Math.max(...Object.keys(fields).map(Number)) }, (_, i) => fields[i + 1] ?? '')].join(
      '|',
    );

  test('the cell phone is preferred, numbers become E.164, and the end comes from the duration', () => {
    const message = Hl7Message.parse(
      [
        header,
        segment('SCH', { 2: 'F-1^EHR', 9: '45', 10: 'min', 11: '^^^20390615143000-0400', 25: 'Pending' }),
        segment('PID', {
          1: '1',
          3: 'OTHER-1^^^LAB^PI~MRN-7^^^EHR^MR',
          5: 'Patient^Test^Middle',
          7: '19800402',
          13: '(555) 555-0101^PRN^PH~^ORN^CP^^^^^^^^^+15555550102~^NET^Internet^test.patient@example.com',
        }),
        'AIP|1||PR-1^Natarajan^Priya^^^Dr.',
        'AIL|1||^^^Riverside Clinic',
      ].join('\r'),
    );
    expect(parseSiuEvent(message, 'S12', 'UTC')).toMatchObject({
      fillerId: 'F-1',
      placerId: undefined,
      status: 'pending',
      patientEmrId: 'MRN-7',
      patient: {
        emrId: 'MRN-7',
        given: 'Test Middle',
        family: 'Patient',
        birthDate: '1980-04-02',
        phone: '+15555550102',
        email: 'test.patient@example.com',
      },
      timing: { start: new Date('2039-06-15T18:30:00Z'), end: new Date('2039-06-15T19:15:00Z') },
      practitionerName: 'Dr. Priya Natarajan',
      locationName: 'Riverside Clinic',
      locationEmrId: undefined,
    });
  });

  test('a formatted home number is read when there is no other, and a booking without a time is refused', () => {
    const withHomePhone = Hl7Message.parse(
      [
        header,
        segment('SCH', { 2: 'F-2', 11: '^^^20390615143000+0000^20390615150000+0000' }),
        segment('PID', { 1: '1', 3: 'MRN-8', 5: 'Person^Sample', 7: '19751130', 13: '555-555-0188' }),
      ].join('\r'),
    );
    expect(parseSiuEvent(withHomePhone, 'S12', 'UTC').patient?.phone).toBe('+15555550188');
    const withoutTime = Hl7Message.parse([header, 'SCH||F-3', 'PID|1||MRN-8'].join('\r'));
    expect(() => parseSiuEvent(withoutTime, 'S12', 'UTC')).toThrow(SiuMessageError);
    expect(() => parseSiuEvent(withoutTime, 'S12', 'UTC')).toThrow('SIU SCH-11: requiredFieldMissing');
    expect(parseSiuEvent(withoutTime, 'S15', 'UTC')).toMatchObject({ status: 'cancelled', timing: undefined });
  });
});
