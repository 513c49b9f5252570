/**
 * The emergency rule: runs on every inbound message before any NLU (DESIGN §3), because classifiers file
 * "my chest hurts really bad" under something harmless. Regular expressions over normalised text (lower
 * case, accents stripped), English and Spanish; a match is answered at once with emergency instructions.
 * Patterns are specific enough to leave ordinary questions alone ("do you treat chest colds?", "I need a
 * refill of my inhaler", "breathing test appointment"); when unsure, they err towards matching.
 */
import { guessLanguage } from './language-guess';
import { LANGUAGES, type Language } from './nlu-engine';
import { normalizeText } from './text-normalization';

export const EMERGENCY_KINDS = [
  'suicide',
  'overdose',
  'cardiac',
  'stroke',
  'breathing',
  'allergic',
  'unconscious',
  'bleeding',
] as const;
export type EmergencyKind = (typeof EMERGENCY_KINDS)[number];

export interface EmergencyMatch {
  kind: EmergencyKind;
  lang: Language;
}

type Patterns = Record<EmergencyKind, Record<Language, RegExp[]>>;

// Written against normalizeText() output: lower case, no accents, apostrophes as "'".
const CANT = "(?:can'?t|cannot|can not|unable to)";

const PATTERNS: Patterns = {
  suicide: {
    en: [
      /\bsuicid/,
      /\bkill(?:ing)? (?:my ?self|myself)\b/,
      /\b(?:end|take) (?:my (?:own )?life|it all)\b/,
      /\bwant(?:s)? to die\b/,
      /\b(?:don'?t|do not) want to (?:live|be alive|wake up)\b/,
      /\bbetter off dead\b/,
      /\b(?:hurt|harm|cut)(?:ting)? my ?self\b/,
      /\bself[- ]?harm/,
    ],
    es: [
      /\bsuicid/,
      /\b(?:matarme|me quiero matar|quitarme la vida|me quiero quitar la vida)\b/,
      /\b(?:me )?quiero morir(?:me)?\b/,
      /\bno quiero (?:seguir )?vivir\b/,
      /\b(?:hacerme dano|lastimarme|cortarme las venas)\b/,
    ],
  },
  overdose: {
    en: [
      /\boverdos/,
      /\b(?:took|taken|swallowed|ate) (?:too many|a (?:whole )?bottle of|all (?:of )?(?:my|the|his|her)) (?:\w+ )?(?:pills|tablets|meds|medications?|medicine)\b/,
      /\b(?:took|taken|swallowed) too many\b/,
      /\b(?:drank|swallowed|ingested) (?:bleach|poison|antifreeze|drain cleaner)\b/,
      /\bpoisoned\b/,
    ],
    es: [
      /\bsobredosis\b/,
      /\b(?:tome|tomo|se tomo|me tome|trago|se trago) (?:demasiadas|muchas|todas (?:las|mis|sus)) (?:\w+ )?(?:pastillas|pildoras|tabletas|medicinas)\b/,
      /\b(?:tomo|bebio|trago|tome) (?:cloro|veneno|lejia)\b/,
      /\benvenenad[oa]\b/,
    ],
  },
  cardiac: {
    en: [
      /\bcrushing (?:chest )?pain\b/,
      /\bchest (?:pain|pains|pressure|tightness)\b/,
      /\b(?:pain|pressure|tightness|squeezing) in (?:my|his|her|the) chest\b/,
      /\b(?:my|his|her) chest (?:hurts|is hurting|is killing|feels (?:tight|heavy|like))/,
      /\bchest hurts\b/,
      /\bheart attack\b/,
      /\bcardiac arrest\b/,
    ],
    es: [
      /\bdolor (?:fuerte |muy fuerte )?(?:de|en el) pecho\b/,
      /\bme duele (?:mucho |muchisimo )?el pecho\b/,
      /\b(?:presion|opresion) en el pecho\b/,
      /\b(?:infarto|ataque (?:al|del|de) corazon|ataque cardiaco|paro cardiaco)\b/,
    ],
  },
  stroke: {
    en: [
      /\bstroke\b/,
      /\b(?:face|mouth|smile) (?:is )?(?:drooping|droopy|droops|is crooked)\b/,
      /\bfacial droop/,
      /\bslurr(?:ed|ing) (?:speech|(?:his|her|my|their) words)\b/,
      new RegExp(`\\b${CANT} (?:move|feel) (?:my|his|her|their) (?:arm|leg|face|left side|right side)\\b`),
      /\b(?:one side of|half of) (?:my|his|her|their) (?:face|body) (?:is )?(?:numb|weak|drooping|paralyzed)\b/,
    ],
    es: [
      /\b(?:derrame cerebral|embolia|ictus|accidente cerebrovascular)\b/,
      /\b(?:cara|boca) (?:caida|torcida|chueca)\b/,
      /\bse le (?:cayo|torcio) (?:la cara|la boca)\b/,
      /\b(?:habla arrastrada|arrastra las palabras|no puede hablar bien)\b/,
      /\bno (?:puedo|puede) mover (?:el|la|mi|su) (?:brazo|pierna|lado)\b/,
    ],
  },
  breathing: {
    en: [
      new RegExp(`\\b${CANT} (?:breathe|breath|catch (?:my|his|her) breath)\\b`),
      /\b(?:not|isn'?t|is not|stopped|aren'?t|wasn'?t) breathing\b/,
      /\b(?:trouble|difficulty|hard time|struggling|problems?) (?:breathing|to breathe)\b/,
      /\bgasping for (?:air|breath)\b/,
      /\b(?:choking|suffocating)\b/,
      /\b(?:severe|extreme) shortness of breath\b/,
    ],
    es: [
      /\bno (?:puedo|puede|podemos) respirar\b/,
      /\bno (?:esta )?respira(?:ndo)?\b/,
      /\bdejo de respirar\b/,
      /\b(?:dificultad|problemas?) para respirar\b/,
      /\b(?:me|le) falta (?:el )?aire\b/,
      /\b(?:me ahogo|se ahoga|se esta ahogando|me estoy ahogando|asfixia)\b/,
    ],
  },
  allergic: {
    en: [
      /\banaphyla/,
      /\b(?:throat|airway) (?:is )?(?:closing|swelling|swollen|tight)/,
      /\b(?:tongue|lips?|face) (?:is |are )?(?:swelling up|swelling|swollen|blowing up)\b/,
      /\b(?:severe|bad|serious) allergic reaction\b/,
      /\b(?:having|had) an allergic reaction\b/,
    ],
    es: [
      /\banafila/,
      /\bse (?:me|le) (?:esta )?cerrando la garganta\b/,
      /\bse (?:me|le) (?:hincho|esta hinchando|inflamo) (?:la cara|la lengua|la garganta|los labios)\b/,
      /\breaccion alergica (?:grave|fuerte|severa)\b/,
      /\b(?:tengo|tiene|esta teniendo) una reaccion alergica\b/,
    ],
  },
  unconscious: {
    en: [
      /\bunconscious\b/,
      /\bunresponsive\b/,
      /\bpassed out\b/,
      /\b(?:won'?t|will not|not|isn'?t|is not) wak(?:e|ing) up\b/,
      new RegExp(`\\b${CANT} wake (?:\\w+ ){1,2}up\\b`),
      /\bcollapsed\b/,
      /\b(?:having|had) a seizure\b|\bseizing\b|\bconvulsing\b/,
    ],
    es: [
      /\binconsciente\b/,
      /\bperdio (?:el conocimiento|la conciencia|el sentido)\b/,
      /\bno (?:reacciona|responde|despierta)\b/,
      /\bse desmayo\b/,
      /\b(?:convulsion|convulsionando|esta convulsionando)/,
    ],
  },
  bleeding: {
    en: [
      /\bbleeding (?:heavily|badly|a lot|profusely|everywhere|nonstop|non-stop)\b/,
      /\b(?:won'?t|will not|doesn'?t|does not) stop bleeding\b/,
      /\bbleeding (?:that |and it )?(?:won'?t|will not|doesn'?t|does not) stop\b/,
      new RegExp(`\\b${CANT} stop (?:the )?bleeding\\b`),
      /\b(?:losing|lost) a lot of blood\b/,
      /\b(?:severe|heavy|uncontrolled) bleeding\b/,
      /\b(?:gushing|spurting|pouring) blood\b/,
    ],
    es: [
      /\bsangr(?:a|ando|o) (?:mucho|muchisimo|sin parar)\b/,
      /\bno (?:para|deja|paro|dejo) de sangrar\b/,
      /\bhemorragia\b/,
      /\bperdi(?:endo|o) mucha sangre\b/,
    ],
  },
};

/** "I don't have chest pain", "sin dolor de pecho": a negation just before the match cancels it. */
const NEGATION_BEFORE =
  /\b(?:no|not|never|without|denies|deny|don'?t|doesn'?t|didn'?t|sin|nunca|ningun|ninguna)\s+(?:\w+\s+)?$/;
/** Patterns that already start with a negation ("not breathing", "no puedo respirar") are not negated again. */
const STARTS_WITH_NEGATION =
  /^(?:no|not|can'?t|cannot|can not|unable|won'?t|will not|isn'?t|is not|doesn'?t|does not|don'?t|do not)\b/;

/**
 * Returns the first emergency the message describes, or null. Kinds are checked in `EMERGENCY_KINDS` order
 * (suicide first: its instructions add the 988 line). The language is the one whose patterns matched, or the
 * guessed language of the message when both did ("suicidal" and "suicida" share a stem).
 */
export function detectEmergency(text: string): EmergencyMatch | null {
  const normalized = normalizeText(text);
  for (const kind of EMERGENCY_KINDS) {
    const languages = LANGUAGES.filter((lang) =>
      PATTERNS[kind][lang].some((pattern) => matchesAffirmatively(normalized, pattern)),
    );
    if (languages.length === 1 && languages[0]) return { kind, lang: languages[0] };
    if (languages.length > 1) return { kind, lang: guessLanguage(text) };
  }
  return null;
}

function matchesAffirmatively(normalized: string, pattern: RegExp): boolean {
  const global = new RegExp(pattern.source, 'g');
  for (const match of normalized.matchAll(global)) {
    if (STARTS_WITH_NEGATION.test(match[0])) return true;
    if (!NEGATION_BEFORE.test(normalized.slice(0, match.index))) return true;
  }
  return false;
}

const INSTRUCTIONS: Record<Language, { general: string; suicide: string; overdose: string }> = {
  en: {
    general:
      'If this is an emergency, call 911 now or go to the nearest emergency room. ' +
      'This chat is not monitored for emergencies and cannot send help.',
    suicide:
      'If you are thinking about suicide or might hurt yourself, call or text 988 now (Suicide & Crisis Lifeline, ' +
      'free, 24/7). If you are in immediate danger, call 911 or go to the nearest emergency room. ' +
      'This chat is not monitored for emergencies and cannot send help.',
    overdose:
      'If someone may have overdosed or been poisoned, call 911 now or go to the nearest emergency room. ' +
      'You can also call Poison Help at 1-800-222-1222. This chat is not monitored for emergencies and cannot send help.',
  },
  es: {
    general:
      'Si es una emergencia, llame al 911 ahora o vaya a la sala de emergencias más cercana. ' +
      'Este chat no se vigila para emergencias y no puede enviar ayuda.',
    suicide:
      'Si está pensando en el suicidio o en hacerse daño, llame o envíe un mensaje de texto al 988 ahora ' +
      '(Línea 988 de Prevención del Suicidio y Crisis, gratis, las 24 horas; también atiende en español: ' +
      'al llamar, marque 2). Si está en peligro inmediato, llame al 911 o vaya a la sala de emergencias más cercana. ' +
      'Este chat no se vigila para emergencias y no puede enviar ayuda.',
    overdose:
      'Si alguien pudo haber tomado una sobredosis o estar envenenado, llame al 911 ahora o vaya a la sala de ' +
      'emergencias más cercana. También puede llamar a Poison Help al 1-800-222-1222 (atienden en español). ' +
      'Este chat no se vigila para emergencias y no puede enviar ayuda.',
  },
};

/** The message to send at once for `match`, in the match's language. */
export function emergencyInstructions(match: EmergencyMatch): string {
  const texts = INSTRUCTIONS[match.lang];
  if (match.kind === 'suicide') return texts.suicide;
  if (match.kind === 'overdose') return texts.overdose;
  return texts.general;
}
