import {
  detectEmergency,
  emergencyInstructions,
  EMERGENCY_KINDS,
  type EmergencyKind,
} from '../../../src/nlu/emergency-rule';

describe('detectEmergency', () => {
  it.each<[string, EmergencyKind]>([
    ['I have crushing chest pain', 'cardiac'],
    ['my chest hurts really bad', 'cardiac'],
    ['I think my dad is having a heart attack', 'cardiac'],
    ["I can't breathe", 'breathing'],
    ['I can’t breathe', 'breathing'],
    ['my husband is not breathing', 'breathing'],
    ['I have suicidal thoughts', 'suicide'],
    ['I want to kill myself', 'suicide'],
    ["I don't want to live anymore", 'suicide'],
    ['my son took an overdose', 'overdose'],
    ['she took too many pills', 'overdose'],
    ['his face is drooping and he has slurred speech', 'stroke'],
    ["I think she's having a stroke", 'stroke'],
    ['my throat is closing up, allergic to peanuts', 'allergic'],
    ["he passed out and won't wake up", 'unconscious'],
    ["the cut won't stop bleeding", 'bleeding'],
  ])('matches %p as %s (English)', (text, kind) => {
    expect(detectEmergency(text)).toEqual({ kind, lang: 'en' });
  });

  it.each<[string, EmergencyKind]>([
    ['tengo dolor de pecho', 'cardiac'],
    ['me duele mucho el pecho', 'cardiac'],
    ['No puedo respirar', 'breathing'],
    ['mi papá no respira', 'breathing'],
    ['quiero suicidarme', 'suicide'],
    ['tengo pensamientos suicidas', 'suicide'],
    ['me quiero morir', 'suicide'],
    ['creo que es una sobredosis', 'overdose'],
    ['mi hijo se tomó todas las pastillas', 'overdose'],
    ['creo que le dio un derrame cerebral', 'stroke'],
    ['se me está cerrando la garganta', 'allergic'],
    ['mi abuela perdió el conocimiento', 'unconscious'],
    ['no para de sangrar', 'bleeding'],
  ])('matches %p as %s (Spanish)', (text, kind) => {
    expect(detectEmergency(text)).toEqual({ kind, lang: 'es' });
  });

  it.each([
    'do you treat chest colds?',
    'I need a refill of my inhaler',
    'breathing test appointment',
    'can I book a pulmonary function test',
    "I don't have chest pain, I just need a refill",
    'do you do EKGs?',
    'my allergy medicine ran out',
    'I need my EpiPen refilled',
    'do you treat back pain?',
    "I'm dying to know my lab results",
    'what time do you close on saturday',
    '¿tratan el asma?',
    'necesito mi inhalador',
    'cita para prueba de respiración',
    'sin dolor de pecho, solo quiero una cita',
    'tengo tos y gripe',
  ])('leaves an ordinary message alone: %p', (text) => {
    expect(detectEmergency(text)).toBeNull();
  });
});

describe('emergencyInstructions', () => {
  it('tells an English speaker to call 911 and that the chat is not monitored', () => {
    const text = emergencyInstructions({ kind: 'cardiac', lang: 'en' });
    expect(text).toMatch(/call 911/);
    expect(text).toMatch(/emergency room/);
    expect(text).toMatch(/not monitored for emergencies/);
    expect(text).not.toMatch(/988/);
  });

  it('adds the 988 Suicide & Crisis Lifeline for suicide, in both languages', () => {
    expect(emergencyInstructions({ kind: 'suicide', lang: 'en' })).toMatch(
      /call or text 988.*Suicide & Crisis Lifeline/,
    );
    const spanish = emergencyInstructions({ kind: 'suicide', lang: 'es' });
    expect(spanish).toMatch(/988/);
    expect(spanish).toMatch(/español/);
    expect(spanish).toMatch(/911/);
  });

  it('answers in Spanish for a Spanish match, for every kind', () => {
    for (const kind of EMERGENCY_KINDS) {
      const text = emergencyInstructions({ kind, lang: 'es' });
      expect(text).toMatch(/llame al 911/);
      expect(text).toMatch(/no se vigila para emergencias/);
    }
  });
});
