/**
 * What every EmrAdapter must do, run against an EHR holding the demo seed (`buildDemoEmrSeed`): the demo EMR itself,
 * and later a real FHIR server or HL7 v2 feed loaded with the same data. Times are checked in the practice's zone.
 */
import { ValidationError } from '../../../src/errors';
import type { EmrAdapter } from '../../../src/emr';
import { DEMO_APPOINTMENT_IDS, DEMO_PATIENT_IDS, DEMO_PRACTITIONER_IDS } from '../../../src/emr/demo/demo-emr-seed';
import { describeSchedulingConformance } from './scheduling-conformance';

export type EmrAdapterFactory = (options: { now: Date; timeZone: string }) => Promise<EmrAdapter>;

/** A Wednesday in June (EDT, UTC-4); the seeded physical is on Friday 12 June at 10:30 local. */
export const NOW = new Date('2026-06-10T15:00:00Z');
export const TIME_ZONE = 'America/New_York';

/** 'Fri 2026-06-12 10:30' as the clocks of `timeZone` show `instant`. */
export function localClock(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

export function describeEmrAdapterConformance(name: string, createAdapter: EmrAdapterFactory): void {
  describe(`${name} adapter conformance`, () => {
    let emr: EmrAdapter;
    beforeAll(async () => {
      emr = await createAdapter({ now: NOW, timeZone: TIME_ZONE });
    });
    afterAll(async () => {
      await emr.close();
    });

    test('a phone shared by a family matches every member; adding the birth date picks one', async () => {
      const family = await emr.matchPatient({ phone: '+15555550123' });
      expect(family.map((patient) => patient.emrId).sort()).toEqual([
        DEMO_PATIENT_IDS.juniorPatient,
        DEMO_PATIENT_IDS.testPatient,
      ]);
      expect(family.find((patient) => patient.emrId === DEMO_PATIENT_IDS.testPatient)).toEqual({
        emrId: DEMO_PATIENT_IDS.testPatient,
        given: 'Test',
        family: 'Patient',
        birthDate: '1980-04-02',
        phone: '+15555550123',
        email: 'test.patient@example.com',
      });
      const junior = await emr.matchPatient({ phone: '+15555550123', birthDate: '2014-09-17' });
      expect(junior).toEqual([
        {
          emrId: DEMO_PATIENT_IDS.juniorPatient,
          given: 'Junior',
          family: 'Patient',
          birthDate: '2014-09-17',
          phone: '+15555550123',
        },
      ]);
    });

    test('an unknown phone, or a known phone with another birth date, matches nobody', async () => {
      expect(await emr.matchPatient({ phone: '+15555550999' })).toEqual([]);
      expect(await emr.matchPatient({ phone: '+15555550188', birthDate: '1975-11-29' })).toEqual([]);
    });

    test('names match whole and case-insensitively, never as a prefix', async () => {
      expect(await emr.matchPatient({ family: 'Pat' })).toEqual([]);
      expect(await emr.matchPatient({ family: 'Patient', given: 'Tes' })).toEqual([]);
      const byName = await emr.matchPatient({ family: 'PATIENT', given: 'test' });
      expect(byName.map((patient) => patient.emrId)).toEqual([DEMO_PATIENT_IDS.testPatient]);
      const bornThen = await emr.matchPatient({ family: 'Person', birthDate: '1975-11-30' });
      expect(bornThen.map((patient) => patient.emrId)).toEqual([DEMO_PATIENT_IDS.samplePerson]);
    });

    test('a likely duplicate comes back as two records, one without a phone', async () => {
      const duplicates = await emr.matchPatient({ family: 'Example', given: 'Dup', birthDate: '1990-01-15' });
      expect(duplicates.map((patient) => patient.emrId).sort()).toEqual([
        DEMO_PATIENT_IDS.dupExampleWithPhone,
        DEMO_PATIENT_IDS.dupExampleWithoutPhone,
      ]);
      expect(
        duplicates.find((patient) => patient.emrId === DEMO_PATIENT_IDS.dupExampleWithoutPhone)?.phone,
      ).toBeUndefined();
    });

    test('empty or malformed criteria are refused before reaching the EHR', async () => {
      await expect(emr.matchPatient({})).rejects.toThrow(ValidationError);
      await expect(emr.matchPatient({ phone: '555-0123' })).rejects.toThrow('patient phone is not E.164');
      await expect(emr.matchPatient({ birthDate: '04/02/1980' })).rejects.toThrow(
        'patient birth date is not YYYY-MM-DD',
      );
    });

    test('every patient is listed', async () => {
      const patients = await emr.listPatients();
      expect(patients.map((patient) => patient.emrId).sort()).toEqual(Object.values(DEMO_PATIENT_IDS).sort());
    });

    test("the upcoming physical comes with its practitioner, location and local time; past, cancelled and others' visits do not", async () => {
      const [physical, ...others] = await emr.listUpcoming(DEMO_PATIENT_IDS.testPatient, NOW);
      expect(others).toEqual([]);
      expect(physical).toEqual({
        emrId: DEMO_APPOINTMENT_IDS.testPatientPhysical,
        patientEmrId: DEMO_PATIENT_IDS.testPatient,
        start: new Date('2026-06-12T14:30:00Z'),
        end: new Date('2026-06-12T15:00:00Z'),
        status: 'booked',
        visitType: 'Annual physical',
        practitionerName: 'Dr. Maria Alvarez',
        practitionerEmrId: DEMO_PRACTITIONER_IDS.alvarez,
        locationName: 'Main Street Office',
        slotEmrIds: ['demo-slot-alvarez-main-street-20260612-1030'],
      });
      expect(localClock(physical!.start, TIME_ZONE)).toBe('Fri 2026-06-12 10:30');
    });

    test("a child's follow-up and a pending visit are upcoming for their own patient only", async () => {
      const [followUp, ...junior] = await emr.listUpcoming(DEMO_PATIENT_IDS.juniorPatient, NOW);
      expect(junior).toEqual([]);
      expect(followUp).toMatchObject({
        emrId: DEMO_APPOINTMENT_IDS.juniorPatientFollowUp,
        status: 'booked',
        visitType: 'Sick visit follow-up',
        practitionerName: 'Dr. Priya Natarajan',
        locationName: 'Riverside Clinic',
      });
      expect(localClock(followUp!.start, TIME_ZONE)).toBe('Mon 2026-06-15 15:30');
      const pending = await emr.listUpcoming(DEMO_PATIENT_IDS.samplePerson, NOW);
      expect(
        pending.map((appointment) => [appointment.emrId, appointment.status, appointment.practitionerName]),
      ).toEqual([[DEMO_APPOINTMENT_IDS.samplePersonBloodPressure, 'pending', 'Dr. James Chen']]);
    });

    test('an appointment that starts before `from` is not upcoming; an unknown patient has none', async () => {
      expect(await emr.listUpcoming(DEMO_PATIENT_IDS.testPatient, new Date('2026-06-12T14:30:00.001Z'))).toEqual([]);
      const fromAMonthAgo = await emr.listUpcoming(DEMO_PATIENT_IDS.testPatient, new Date('2026-05-01T00:00:00Z'));
      expect(fromAMonthAgo.map((appointment) => appointment.emrId)).toEqual([DEMO_APPOINTMENT_IDS.testPatientPhysical]);
      expect(await emr.listUpcoming('demo-patient-nobody', NOW)).toEqual([]);
      expect(await emr.listUpcoming(DEMO_PATIENT_IDS.dupExampleWithoutPhone, NOW)).toEqual([]);
    });
  });

  describeSchedulingConformance(name, () => createAdapter({ now: NOW, timeZone: TIME_ZONE }));
}
