/**
 * The demo EMR's made-up data (555 phone numbers, example.com mail): three practitioners, two locations, their
 * schedules, five patients (a family sharing a phone, a likely duplicate pair) and a few appointments placed relative
 * to `now` in the practice's time zone. Ids are fixed and the output depends only on `now` and the zone, so two
 * processes seeding with the same `now` hold identical EMRs.
 */
import type { Appointment, Location, Patient, Practitioner, Resource, Schedule, Slot } from '../fhir-types';
import { zonedTime } from '../../compliance/quiet-hours';
import { localDate } from '../../practice/opening-hours';
import { VISIT_TYPE_DISPLAY } from '../fhir/fhir-bookings';
import { VISIT_TYPE_SYSTEM, VISIT_TYPES } from '../emr-adapter';

export const DEMO_PRACTITIONER_IDS = {
  alvarez: 'demo-practitioner-maria-alvarez',
  chen: 'demo-practitioner-james-chen',
  natarajan: 'demo-practitioner-priya-natarajan',
} as const;

export const DEMO_LOCATION_IDS = {
  mainStreet: 'demo-location-main-street',
  riverside: 'demo-location-riverside',
} as const;

export const DEMO_PATIENT_IDS = {
  testPatient: 'demo-patient-test-patient',
  juniorPatient: 'demo-patient-junior-patient',
  samplePerson: 'demo-patient-sample-person',
  dupExampleWithPhone: 'demo-patient-dup-example-1',
  dupExampleWithoutPhone: 'demo-patient-dup-example-2',
} as const;

export const DEMO_APPOINTMENT_IDS = {
  testPatientPhysical: 'demo-appt-test-patient-physical',
  testPatientFluShotCancelled: 'demo-appt-test-patient-flu-shot',
  testPatientPastSickVisit: 'demo-appt-test-patient-past-sick-visit',
  juniorPatientFollowUp: 'demo-appt-junior-patient-follow-up',
  samplePersonBloodPressure: 'demo-appt-sample-person-blood-pressure',
} as const;

/** Free slots are offered this many days ahead. */
export const DEMO_SLOT_DAYS = 30;
const SLOT_MINUTES = 30;

/** Every resource of the demo EMR, referenced resources before the resources that reference them. */
export function buildDemoEmrSeed(now: Date, timeZone: string): Resource[] {
  const appointments = VISITS.map((visit) => toAppointment(visit, now, timeZone));
  const slots = buildDemoSlots(now, timeZone);
  const slotsByStart = new Map(slots.map((slot) => [`${slot.schedule.reference}|${slot.start}`, slot]));
  // A seeded visit occupies the slot that starts with it, as a booking would have.
  for (const appointment of appointments) {
    const slot = slotsByStart.get(`Schedule/${scheduleOf(appointment)}|${appointment.start}`);
    if (!slot) continue;
    appointment.slot = [{ reference: `Slot/${slot.id}` }];
    if (appointment.status !== 'cancelled') slot.status = 'busy';
  }
  return [...PRACTITIONERS, ...LOCATIONS, ...SCHEDULES, ...PATIENTS, ...slots, ...appointments];
}

/**
 * Slots of every schedule for the weekdays of the next DEMO_SLOT_DAYS days that start after `now`, all free, with
 * ids made of schedule, date and time: seeding again later adds the new days without touching the old slots.
 */
export function buildDemoSlots(now: Date, timeZone: string): (Slot & { id: string })[] {
  const today = localDate(now, timeZone).isoDate;
  const slots: (Slot & { id: string })[] = [];
  for (let day = 0; day < DEMO_SLOT_DAYS; day++) {
    const date = addDays(today, day);
    if (isWeekend(date)) continue;
    for (const schedule of SCHEDULES) {
      for (const clock of SCHEDULE_CLOCKS[schedule.id!] ?? []) {
        const start = zonedTime(date, clock, timeZone);
        if (start.getTime() <= now.getTime()) continue;
        slots.push({
          resourceType: 'Slot',
          id: slotId(schedule.id!, date, clock),
          schedule: { reference: `Schedule/${schedule.id}` },
          status: 'free',
          serviceType: VISIT_TYPES.map((code) => ({
            coding: [{ system: VISIT_TYPE_SYSTEM, code, display: VISIT_TYPE_DISPLAY[code] }],
          })),
          start: start.toISOString(),
          end: new Date(start.getTime() + SLOT_MINUTES * 60_000).toISOString(),
        });
      }
    }
  }
  return slots;
}

function slotId(scheduleId: string, isoDate: string, clock: string): string {
  return `${scheduleId.replace(/^demo-schedule-/, 'demo-slot-')}-${isoDate.replaceAll('-', '')}-${clock.replace(':', '')}`;
}

/** The schedule of the appointment's practitioner at its location. */
function scheduleOf(appointment: Appointment): string | undefined {
  const actors = appointment.participant.map((participant) => participant.actor?.reference);
  return SCHEDULES.find((schedule) => schedule.actor.every((actor) => actors.includes(actor.reference)))?.id;
}

const PRACTITIONERS: readonly Practitioner[] = [
  practitioner(DEMO_PRACTITIONER_IDS.alvarez, 'Maria', 'Alvarez'),
  practitioner(DEMO_PRACTITIONER_IDS.chen, 'James', 'Chen'),
  practitioner(DEMO_PRACTITIONER_IDS.natarajan, 'Priya', 'Natarajan'),
];

const LOCATIONS: readonly Location[] = [
  location(DEMO_LOCATION_IDS.mainStreet, 'Main Street Office', '48 Main Street'),
  location(DEMO_LOCATION_IDS.riverside, 'Riverside Clinic', '1200 River Road, Suite 100'),
];

/** Half-hour slots at these local times, Monday to Friday. */
const MORNINGS = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'];
const AFTERNOONS = ['13:00', '13:30', '14:00', '14:30', '15:00', '15:30', '16:00', '16:30'];

/**
 * One schedule per practitioner and location they see patients at, with the times they are there: Dr. Alvarez
 * spends mornings at Main Street and afternoons at Riverside.
 */
const SCHEDULE_CLOCKS: Readonly<Record<string, readonly string[]>> = {
  'demo-schedule-alvarez-main-street': MORNINGS,
  'demo-schedule-alvarez-riverside': AFTERNOONS,
  'demo-schedule-chen-main-street': [...MORNINGS, ...AFTERNOONS],
  'demo-schedule-natarajan-riverside': [...MORNINGS, ...AFTERNOONS],
};

const SCHEDULES: readonly Schedule[] = [
  schedule(
    'demo-schedule-alvarez-main-street',
    DEMO_PRACTITIONER_IDS.alvarez,
    DEMO_LOCATION_IDS.mainStreet,
    'Family medicine',
  ),
  schedule(
    'demo-schedule-alvarez-riverside',
    DEMO_PRACTITIONER_IDS.alvarez,
    DEMO_LOCATION_IDS.riverside,
    'Family medicine',
  ),
  schedule(
    'demo-schedule-chen-main-street',
    DEMO_PRACTITIONER_IDS.chen,
    DEMO_LOCATION_IDS.mainStreet,
    'Internal medicine',
  ),
  schedule(
    'demo-schedule-natarajan-riverside',
    DEMO_PRACTITIONER_IDS.natarajan,
    DEMO_LOCATION_IDS.riverside,
    'Pediatrics',
  ),
];

const PATIENTS: readonly Patient[] = [
  patient(DEMO_PATIENT_IDS.testPatient, 'Test', 'Patient', '1980-04-02', '+15555550123', 'test.patient@example.com'),
  // Test Patient's child: the family shares one mobile phone.
  patient(DEMO_PATIENT_IDS.juniorPatient, 'Junior', 'Patient', '2014-09-17', '+15555550123'),
  patient(DEMO_PATIENT_IDS.samplePerson, 'Sample', 'Person', '1975-11-30', '+15555550188'),
  // Likely the same person registered twice: same name and birth date, one record without a phone.
  patient(DEMO_PATIENT_IDS.dupExampleWithPhone, 'Dup', 'Example', '1990-01-15', '+15555550177'),
  patient(DEMO_PATIENT_IDS.dupExampleWithoutPhone, 'Dup', 'Example', '1990-01-15'),
];

/** HL7 v2 table 0276, the appointment reason codes FHIR R4 uses for Appointment.appointmentType. */
const APPOINTMENT_REASONS = {
  CHECKUP: 'A routine check-up, such as an annual physical',
  FOLLOWUP: 'A follow up visit from a previous appointment',
  ROUTINE: 'Routine appointment - default if not valued',
  WALKIN: 'A previously unscheduled walk-in visit',
} as const;

interface DemoVisit {
  readonly id: string;
  readonly patientId: string;
  readonly practitionerId: string;
  readonly locationId: string;
  readonly visitType: string;
  readonly reason: keyof typeof APPOINTMENT_REASONS;
  readonly status: Appointment['status'];
  /** The visit is on the first weekday at least this many days from today (negative: in the past). */
  readonly daysFromToday: number;
  /** Local clock time, HH:MM. */
  readonly clock: string;
  readonly minutes: number;
}

const VISITS: readonly DemoVisit[] = [
  {
    id: DEMO_APPOINTMENT_IDS.testPatientPhysical,
    patientId: DEMO_PATIENT_IDS.testPatient,
    practitionerId: DEMO_PRACTITIONER_IDS.alvarez,
    locationId: DEMO_LOCATION_IDS.mainStreet,
    visitType: 'Annual physical',
    reason: 'CHECKUP',
    status: 'booked',
    daysFromToday: 2,
    clock: '10:30',
    minutes: 30,
  },
  {
    id: DEMO_APPOINTMENT_IDS.testPatientFluShotCancelled,
    patientId: DEMO_PATIENT_IDS.testPatient,
    practitionerId: DEMO_PRACTITIONER_IDS.alvarez,
    locationId: DEMO_LOCATION_IDS.mainStreet,
    visitType: 'Flu shot',
    reason: 'ROUTINE',
    status: 'cancelled',
    daysFromToday: 3,
    clock: '14:00',
    minutes: 15,
  },
  {
    id: DEMO_APPOINTMENT_IDS.testPatientPastSickVisit,
    patientId: DEMO_PATIENT_IDS.testPatient,
    practitionerId: DEMO_PRACTITIONER_IDS.chen,
    locationId: DEMO_LOCATION_IDS.mainStreet,
    visitType: 'Sick visit',
    reason: 'WALKIN',
    status: 'fulfilled',
    daysFromToday: -30,
    clock: '09:00',
    minutes: 20,
  },
  {
    id: DEMO_APPOINTMENT_IDS.juniorPatientFollowUp,
    patientId: DEMO_PATIENT_IDS.juniorPatient,
    practitionerId: DEMO_PRACTITIONER_IDS.natarajan,
    locationId: DEMO_LOCATION_IDS.riverside,
    visitType: 'Sick visit follow-up',
    reason: 'FOLLOWUP',
    status: 'booked',
    daysFromToday: 5,
    clock: '15:30',
    minutes: 20,
  },
  {
    id: DEMO_APPOINTMENT_IDS.samplePersonBloodPressure,
    patientId: DEMO_PATIENT_IDS.samplePerson,
    practitionerId: DEMO_PRACTITIONER_IDS.chen,
    locationId: DEMO_LOCATION_IDS.mainStreet,
    visitType: 'Blood pressure check',
    reason: 'ROUTINE',
    status: 'pending',
    daysFromToday: 4,
    clock: '09:15',
    minutes: 15,
  },
];

function practitioner(id: string, given: string, family: string): Practitioner {
  return {
    resourceType: 'Practitioner',
    id,
    active: true,
    name: [{ use: 'official', prefix: ['Dr.'], given: [given], family }],
  };
}

function location(id: string, name: string, line: string): Location {
  return {
    resourceType: 'Location',
    id,
    status: 'active',
    name,
    telecom: [{ system: 'phone', value: '+15550102000', use: 'work' }],
    address: { line: [line], city: 'Riverside', state: 'NY', postalCode: '10555', country: 'US' },
  };
}

function schedule(id: string, practitionerId: string, locationId: string, specialty: string): Schedule {
  return {
    resourceType: 'Schedule',
    id,
    active: true,
    specialty: [{ text: specialty }],
    actor: [{ reference: `Practitioner/${practitionerId}` }, { reference: `Location/${locationId}` }],
  };
}

function patient(
  id: string,
  given: string,
  family: string,
  birthDate: string,
  mobile?: string,
  email?: string,
): Patient {
  const telecom = [
    ...(mobile === undefined ? [] : [{ system: 'phone' as const, value: mobile, use: 'mobile' as const }]),
    ...(email === undefined ? [] : [{ system: 'email' as const, value: email }]),
  ];
  return {
    resourceType: 'Patient',
    id,
    active: true,
    name: [{ use: 'official', given: [given], family }],
    birthDate,
    ...(telecom.length > 0 ? { telecom } : {}),
  };
}

function toAppointment(visit: DemoVisit, now: Date, timeZone: string): Appointment {
  const start = zonedTime(weekdayFrom(localDate(now, timeZone).isoDate, visit.daysFromToday), visit.clock, timeZone);
  return {
    resourceType: 'Appointment',
    id: visit.id,
    status: visit.status,
    appointmentType: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v2-0276',
          code: visit.reason,
          display: APPOINTMENT_REASONS[visit.reason],
        },
      ],
    },
    serviceType: [{ text: visit.visitType }],
    start: start.toISOString(),
    end: new Date(start.getTime() + visit.minutes * 60_000).toISOString(),
    minutesDuration: visit.minutes,
    participant: [
      { actor: { reference: `Patient/${visit.patientId}` }, status: 'accepted' },
      {
        actor: { reference: `Practitioner/${visit.practitionerId}` },
        status: visit.status === 'pending' ? 'needs-action' : 'accepted',
      },
      { actor: { reference: `Location/${visit.locationId}` }, status: 'accepted' },
    ],
  };
}

/** The first Monday-to-Friday date at least `days` calendar days after `isoDate` (calendar days: DST-proof). */
function weekdayFrom(isoDate: string, days: number): string {
  let date = addDays(isoDate, days);
  while (isWeekend(date)) date = addDays(date, 1);
  return date;
}

function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function isWeekend(isoDate: string): boolean {
  const weekday = new Date(`${isoDate}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}
