/**
 * The demo practice, Riverside Family Medicine: made-up data (555 phone numbers) so the product can be tried with
 * nothing configured. Holidays are computed for this year and next so the demo never goes stale.
 */
import type { Holiday, LocationDetails, PracticeProfile } from './practice-profile';

export const DEMO_PRACTICE_ID = 'riverside-family-medicine';
export const DEMO_PRACTICE_NAME = 'Riverside Family Medicine';
export const DEMO_TIME_ZONE = 'America/New_York';

export const demoPracticeProfile: PracticeProfile = {
  phone: '(555) 010-2000',
  fax: '(555) 010-2001',
  email: 'frontdesk@riverside-family.example',
  website: 'https://riverside-family.example',
  billing: {
    phone: '(555) 010-2002',
    email: 'billing@riverside-family.example',
    hours: { en: 'The billing office answers Monday to Friday, 9 AM to 4 PM.', es: 'La oficina de facturación atiende de lunes a viernes, de 9 a. m. a 4 p. m.' },
  },
  insurancePlans: [
    { name: 'Medicare', aliases: [] },
    { name: 'Medicaid', aliases: ['medi-cal'] },
    { name: 'Aetna', aliases: [] },
    { name: 'Blue Cross Blue Shield', aliases: ['bcbs', 'blue cross', 'blue shield', 'anthem'] },
    { name: 'Cigna', aliases: [] },
    { name: 'UnitedHealthcare', aliases: ['united healthcare', 'united health care', 'uhc', 'united'] },
    { name: 'Humana', aliases: [] },
  ],
  services: {
    en: ['annual physicals', 'sick visits', 'pediatric care and vaccines', 'women’s health', 'chronic disease management (diabetes, blood pressure)', 'lab work on site', 'telehealth visits'],
    es: ['exámenes físicos anuales', 'consultas por enfermedad', 'atención pediátrica y vacunas', 'salud de la mujer', 'control de enfermedades crónicas (diabetes, presión arterial)', 'análisis de laboratorio en el consultorio', 'consultas por telemedicina'],
  },
  newPatients: {
    accepting: true,
    note: {
      en: 'Yes, we are accepting new patients of all ages. Call (555) 010-2000 or ask me to book a new-patient visit; please bring a photo ID, your insurance card and a list of your medicines.',
      es: 'Sí, aceptamos pacientes nuevos de todas las edades. Llame al (555) 010-2000 o pídame una cita de paciente nuevo; traiga una identificación con foto, su tarjeta del seguro y la lista de sus medicamentos.',
    },
  },
  automatedMessageHours: { from: '08:00', to: '21:00' },
  phiPolicy: { webchat: 'after_verification', sms: 'consent_and_verification', whatsapp: 'never', messenger: 'never' },
  retention: { messageBodyDays: 365 },
  handoff: { routing: {}, slaMinutes: { front_desk: 15, nurse_line: 60, billing: 240, practice_management: 240 } },
};

const weekday = [{ opens: '08:00', closes: '17:00' }];

export function demoLocationDetails(now: Date): LocationDetails {
  return {
    address: { line1: '1200 River Road, Suite 100', city: 'Riverside', state: 'NY', postalCode: '10555' },
    phone: '(555) 010-2000',
    fax: '(555) 010-2001',
    directions: {
      en: 'We are across from Riverside Park, next to the public library; bus lines 4 and 12 stop at the door.',
      es: 'Estamos frente al parque Riverside, junto a la biblioteca pública; las líneas de autobús 4 y 12 paran en la puerta.',
    },
    parking: {
      en: 'Free parking in the lot behind the building, with accessible spaces by the entrance. Street parking on River Road is metered.',
      es: 'Estacionamiento gratis en el lote detrás del edificio, con espacios accesibles junto a la entrada. En River Road el estacionamiento en la calle es con parquímetro.',
    },
    hours: {
      monday: weekday,
      tuesday: weekday,
      wednesday: [{ opens: '08:00', closes: '19:00' }],
      thursday: weekday,
      friday: weekday,
      saturday: [{ opens: '09:00', closes: '12:00' }],
      sunday: [],
    },
    holidays: [now.getUTCFullYear(), now.getUTCFullYear() + 1].flatMap(holidaysOf),
  };
}

function holidaysOf(year: number): Holiday[] {
  return [
    { date: `${year}-01-01`, name: { en: "New Year's Day", es: 'Año Nuevo' }, hours: [] },
    { date: `${year}-07-04`, name: { en: 'Independence Day', es: 'Día de la Independencia' }, hours: [] },
    { date: nthWeekdayOfMonth(year, 10, 4, 4), name: { en: 'Thanksgiving', es: 'Día de Acción de Gracias' }, hours: [] },
    { date: `${year}-12-24`, name: { en: 'Christmas Eve', es: 'Nochebuena' }, hours: [{ opens: '08:00', closes: '12:00' }] },
    { date: `${year}-12-25`, name: { en: 'Christmas Day', es: 'Navidad' }, hours: [] },
  ];
}

/** e.g. the 4th Thursday (weekday 4) of November (month 10, zero-based). */
function nthWeekdayOfMonth(year: number, month: number, weekdayIndex: number, nth: number): string {
  const first = new Date(Date.UTC(year, month, 1));
  const offset = (weekdayIndex - first.getUTCDay() + 7) % 7;
  const day = 1 + offset + (nth - 1) * 7;
  return `${year}-${String(month + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
