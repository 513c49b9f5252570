/**
 * Answers built from the practice's own data: where it is, parking, insurance accepted ("do you take <plan>?"),
 * billing, phone and fax, services and new patients. Free-text answers a manager wrote (faq_entries) win over the
 * generated ones.
 */
import type { Language } from '../../nlu/nlu-engine';
import type { PracticeContent } from '../../practice/practice-profile';
import type { FlowAction, FlowActionContext } from '../action-registry';
import { containsPhrase } from '../text-matching';

type Answer = (context: FlowActionContext) => string;

function mainLocation(practice: PracticeContent) {
  return practice.locations[0];
}

const answerLocation: Answer = ({ practice, lang }) => {
  const location = mainLocation(practice);
  if (!location)
    return lang === 'es' ? `Llámenos al ${practice.profile.phone}.` : `Please call us at ${practice.profile.phone}.`;
  const { line1, city, state, postalCode } = location.details.address;
  const address = `${line1}, ${city}, ${state} ${postalCode}`;
  return lang === 'es'
    ? `Estamos en ${address}. ${location.details.directions.es}`
    : `We're at ${address}. ${location.details.directions.en}`;
};

const answerParking: Answer = ({ practice, lang }) => {
  const location = mainLocation(practice);
  return location?.details.parking[lang] ?? answerLocation({ practice, lang } as FlowActionContext);
};

function listJoin(items: readonly string[], lang: Language): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${lang === 'es' ? 'y' : 'and'} ${items[items.length - 1]}`;
}

const answerInsurance: Answer = ({ practice, lang, text }) => {
  const plans = practice.profile.insurancePlans;
  const asked = plans.find((plan) => [plan.name, ...plan.aliases].some((name) => containsPhrase(text, name)));
  const all = listJoin(
    plans.map((plan) => plan.name),
    lang,
  );
  if (asked) {
    return lang === 'es'
      ? `Sí, aceptamos ${asked.name}. Traiga su tarjeta del seguro a su cita.`
      : `Yes, we accept ${asked.name}. Please bring your insurance card to your visit.`;
  }
  return lang === 'es'
    ? `Aceptamos ${all}. Si su plan no aparece, llámenos al ${practice.profile.phone} para confirmarlo.`
    : `We accept ${all}. If your plan isn't listed, call us at ${practice.profile.phone} and we'll check for you.`;
};

const answerBilling: Answer = ({ practice, lang }) => {
  const { billing } = practice.profile;
  const email = billing.email ? (lang === 'es' ? ` o escriba a ${billing.email}` : ` or email ${billing.email}`) : '';
  return lang === 'es'
    ? `Para preguntas de facturación, llame a nuestra oficina de facturación al ${billing.phone}${email}. ${billing.hours.es}`
    : `For billing questions, call our billing office at ${billing.phone}${email}. ${billing.hours.en}`;
};

const answerContact: Answer = ({ practice, lang }) => {
  const { phone, fax, email } = practice.profile;
  const parts = lang === 'es' ? [`Teléfono: ${phone}`] : [`Phone: ${phone}`];
  if (fax) parts.push(`Fax: ${fax}`);
  if (email) parts.push(lang === 'es' ? `Correo: ${email}` : `Email: ${email}`);
  return `${parts.join('. ')}.`;
};

const answerServices: Answer = ({ practice, lang }) =>
  lang === 'es'
    ? `Ofrecemos: ${listJoin(practice.profile.services.es, lang)}.`
    : `We offer: ${listJoin(practice.profile.services.en, lang)}.`;

const answerNewPatients: Answer = ({ practice, lang }) => practice.profile.newPatients.note[lang];

const ANSWERS: Readonly<Record<string, Answer>> = {
  location: answerLocation,
  parking: answerParking,
  insurance: answerInsurance,
  billing: answerBilling,
  contact: answerContact,
  services: answerServices,
  new_patient: answerNewPatients,
};

export const FAQ_TOPICS = Object.keys(ANSWERS);

/** answer-faq (params.topic): the manager's text for the topic if there is one, else the generated answer. */
export const answerFaqAction: FlowAction = {
  name: 'answer-faq',
  outcomes: [],
  run(context) {
    const topic = String(context.params.topic ?? '');
    const written = context.practice.faq.get(topic)?.[context.lang];
    const generate = ANSWERS[topic];
    const answer =
      written ??
      generate?.(context) ??
      (context.lang === 'es'
        ? `Llámenos al ${context.practice.profile.phone}.`
        : `Please call us at ${context.practice.profile.phone}.`);
    return { vars: { answer } };
  },
};
