/**
 * What every adapter with slot search must do when booking, run against an EHR holding the demo seed seen at NOW
 * (Wednesday 10 June 2026): free slots by window and practitioner, booking once per key, one booking per slot however
 * the requests race, reschedule and cancel freeing the old slot, and the change feed naming what moved.
 */
import type { EmrAdapter, EmrSlot } from '../../../src/emr';
import { DEMO_PATIENT_IDS, DEMO_PRACTITIONER_IDS } from '../../../src/emr/demo/demo-emr-seed';
import { localClock, TIME_ZONE } from './emr-adapter-conformance';

/** Tuesday 16 June 2026, 12:00 to 17:00 in New York (EDT). */
const TUESDAY_AFTERNOON = { from: new Date('2026-06-16T16:00:00Z'), to: new Date('2026-06-16T21:00:00Z') };

let keys = 0;
const key = (label: string) => `conformance-${label}-${++keys}-${Date.now()}`;

export function describeSchedulingConformance(name: string, createAdapter: () => Promise<EmrAdapter>): void {
  describe(`${name} adapter scheduling`, () => {
    let emr: EmrAdapter;
    beforeAll(async () => {
      emr = await createAdapter();
    });
    afterAll(async () => {
      await emr.close();
    });

    async function tuesdaySlots(practitionerEmrId?: string, limit = 50): Promise<EmrSlot[]> {
      return emr.findSlots({ ...TUESDAY_AFTERNOON, limit, ...(practitionerEmrId ? { practitionerEmrId } : {}) });
    }

    test('free slots come earliest first, inside the window, with practitioner and location', async () => {
      const slots = await tuesdaySlots(undefined, 3);
      expect(slots).toHaveLength(3);
      for (const slot of slots) {
        expect(localClock(slot.start, TIME_ZONE)).toBe('Tue 2026-06-16 13:00');
        expect(slot.practitionerName).toMatch(/^Dr\. /);
        expect(slot.locationName).not.toBe('');
      }
      const alvarez = await tuesdaySlots(DEMO_PRACTITIONER_IDS.alvarez);
      // Dr. Alvarez is at Riverside in the afternoons, eight half hours from 13:00 to 16:30.
      expect(alvarez.map((slot) => localClock(slot.start, TIME_ZONE).slice(15))).toEqual([
        '13:00',
        '13:30',
        '14:00',
        '14:30',
        '15:00',
        '15:30',
        '16:00',
        '16:30',
      ]);
      expect(new Set(alvarez.map((slot) => slot.locationName))).toEqual(new Set(['Riverside Clinic']));
      expect(await emr.findSlots({ ...TUESDAY_AFTERNOON, visitType: 'sick-visit', limit: 1 })).toHaveLength(1);
    });

    test('booking makes a booked appointment read back from the EHR; the slot is no longer free', async () => {
      const [slot] = await tuesdaySlots(DEMO_PRACTITIONER_IDS.chen, 1);
      const request = {
        idempotencyKey: key('book'),
        patientEmrId: DEMO_PATIENT_IDS.samplePerson,
        slot: slot!,
        visitType: 'annual-physical' as const,
      };
      const result = await emr.book(request);
      expect(result).toMatchObject({
        status: 'booked',
        appointment: {
          patientEmrId: DEMO_PATIENT_IDS.samplePerson,
          start: slot!.start,
          status: 'booked',
          visitType: 'Annual physical',
          practitionerName: 'Dr. James Chen',
          locationName: 'Main Street Office',
        },
      });
      const booked = result.status === 'booked' ? result.appointment : undefined;
      expect((await tuesdaySlots(DEMO_PRACTITIONER_IDS.chen)).map((s) => s.emrId)).not.toContain(slot!.emrId);
      expect(
        (await emr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, TUESDAY_AFTERNOON.from)).map((a) => a.emrId),
      ).toEqual([booked!.emrId]);

      // The same key again (a retry after a timeout) answers the same appointment and books nothing new.
      expect(await emr.book(request)).toEqual({ status: 'booked', appointment: booked });
      expect(await emr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, TUESDAY_AFTERNOON.from)).toHaveLength(1);
    });

    test('two patients racing for one slot: one is booked, the other is told the slot is taken', async () => {
      const [slot] = await tuesdaySlots(DEMO_PRACTITIONER_IDS.natarajan, 1);
      const results = await Promise.all(
        [DEMO_PATIENT_IDS.testPatient, DEMO_PATIENT_IDS.juniorPatient].map((patientEmrId) =>
          emr.book({ idempotencyKey: key('race'), patientEmrId, slot: slot!, visitType: 'sick-visit' }),
        ),
      );
      expect(results.map((result) => result.status).sort()).toEqual(['booked', 'slot_taken']);
      const holders = await Promise.all(
        [DEMO_PATIENT_IDS.testPatient, DEMO_PATIENT_IDS.juniorPatient].map((patient) =>
          emr.listUpcoming(patient, TUESDAY_AFTERNOON.from),
        ),
      );
      expect(holders.flat().filter((appointment) => appointment.slotEmrIds?.includes(slot!.emrId))).toHaveLength(1);
      // An offer made before the booking is stale now, whoever asks.
      expect(
        await emr.book({
          idempotencyKey: key('stale'),
          patientEmrId: DEMO_PATIENT_IDS.samplePerson,
          slot: slot!,
          visitType: 'sick-visit',
        }),
      ).toEqual({ status: 'slot_taken' });
    });

    test('reschedule books the new slot and frees the old; cancel frees its slot; the change feed names both', async () => {
      const { cursor } = await emr.changes();
      const [first, second] = await tuesdaySlots(DEMO_PRACTITIONER_IDS.alvarez, 2);
      const booked = await emr.book({
        idempotencyKey: key('move'),
        patientEmrId: DEMO_PATIENT_IDS.dupExampleWithPhone,
        slot: first!,
        visitType: 'follow-up',
      });
      expect(booked.status).toBe('booked');
      const original = booked.status === 'booked' ? booked.appointment : undefined;

      const moved = await emr.reschedule(original!.emrId, {
        idempotencyKey: key('moved'),
        patientEmrId: DEMO_PATIENT_IDS.dupExampleWithPhone,
        slot: second!,
        visitType: 'follow-up',
      });
      expect(moved).toMatchObject({ status: 'booked', appointment: { start: second!.start } });
      expect(await emr.getAppointment(original!.emrId)).toMatchObject({ status: 'cancelled' });
      expect((await tuesdaySlots(DEMO_PRACTITIONER_IDS.alvarez)).map((slot) => slot.emrId)).toContain(first!.emrId);

      const replacement = moved.status === 'booked' ? moved.appointment : undefined;
      expect(
        await emr.cancel(replacement!.emrId, { idempotencyKey: key('cancel'), reason: 'patient-request' }),
      ).toEqual({ status: 'cancelled' });
      expect(
        await emr.cancel(replacement!.emrId, { idempotencyKey: key('cancel'), reason: 'patient-request' }),
      ).toEqual({ status: 'cancelled' });
      expect(await emr.listUpcoming(DEMO_PATIENT_IDS.dupExampleWithPhone, TUESDAY_AFTERNOON.from)).toEqual([]);
      expect((await tuesdaySlots(DEMO_PRACTITIONER_IDS.alvarez)).map((slot) => slot.emrId)).toEqual(
        expect.arrayContaining([first!.emrId, second!.emrId]),
      );

      const changed = await emr.changes(cursor);
      const states = new Map(changed.appointments.map((appointment) => [appointment.emrId, appointment.status]));
      expect(states.get(original!.emrId)).toBe('cancelled');
      expect(states.get(replacement!.emrId)).toBe('cancelled');
      expect(changed.cursor >= cursor).toBe(true);
    });

    test('cancelling an appointment the EHR does not have is refused, not an error', async () => {
      expect(
        await emr.cancel('no-such-appointment', { idempotencyKey: key('none'), reason: 'patient-request' }),
      ).toEqual({
        status: 'rejected',
        reason: 'not-found',
      });
      expect(await emr.getAppointment('no-such-appointment')).toBeUndefined();
    });
  });
}
