import {
  SMS_MAX_LENGTH,
  countSegments,
  detectEncoding,
  optionFromReply,
  renderWithOptions,
  replaceLookAlikes,
  splitAtSentences,
} from '../../../../src/channels/twilio/sms-shaping';

describe('encoding and segments', () => {
  test('plain text, Spanish ñ/é and ¿ stay GSM-7; á, curly quotes and emoji force UCS-2', () => {
    expect(detectEncoding('What are your hours?')).toBe('GSM-7');
    expect(detectEncoding('¿Mañana? Café')).toBe('GSM-7');
    expect(detectEncoding('Price: €10 [approx] {ok} ~ ^ | \\')).toBe('GSM-7');
    expect(detectEncoding('Está abierto')).toBe('UCS-2');
    expect(detectEncoding('It’s open')).toBe('UCS-2');
    expect(detectEncoding('Open 😀')).toBe('UCS-2');
  });

  test('GSM-7: 160 in one segment, then 153 per part', () => {
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', units: 161, segments: 2 });
    expect(countSegments('a'.repeat(306)).segments).toBe(2);
    expect(countSegments('a'.repeat(307)).segments).toBe(3);
  });

  test('GSM-7 extension characters count twice and never straddle two parts', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSegments('€'.repeat(81))).toEqual({ encoding: 'GSM-7', units: 162, segments: 2 });
    // 152 + 2 does not fit in 153: the € moves to part 2, which then overflows into part 3.
    expect(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`)).toEqual({
      encoding: 'GSM-7',
      units: 306,
      segments: 3,
    });
  });

  test('UCS-2: 70 in one segment, then 67 per part; surrogate pairs count two and are not split', () => {
    expect(countSegments('á'.repeat(70))).toEqual({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(countSegments('á'.repeat(71))).toEqual({ encoding: 'UCS-2', units: 71, segments: 2 });
    expect(countSegments('á'.repeat(134)).segments).toBe(2);
    expect(countSegments('á'.repeat(135)).segments).toBe(3);
    expect(countSegments('Hi 😀')).toEqual({ encoding: 'UCS-2', units: 5, segments: 1 });
    expect(countSegments(`${'á'.repeat(66)}😀${'á'.repeat(66)}`)).toEqual({
      encoding: 'UCS-2',
      units: 134,
      segments: 3,
    });
  });

  test('one curly quote turns a 1-segment text into 3; replacing it brings it back', () => {
    const text = `We’re open Monday to Friday. ${'x'.repeat(120)}`;
    expect(countSegments(text)).toMatchObject({ encoding: 'UCS-2', segments: 3 });
    expect(countSegments(replaceLookAlikes(text))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});

describe('replaceLookAlikes', () => {
  test('curly quotes, dashes, ellipsis and special spaces become their GSM-7 equivalents', () => {
    const shaped = replaceLookAlikes('“Hi” — it’s 9–5\u00a0today… ‘ok’ «yes» •\u200b');
    expect(shaped).toBe('"Hi" - it\'s 9-5 today... \'ok\' "yes" -');
    expect(detectEncoding(shaped)).toBe('GSM-7');
  });

  test('leaves meaningful characters alone: accents, emoji, line breaks', () => {
    const text = '¿Qué día prefiere?\nGracias 🙂';
    expect(replaceLookAlikes(text)).toBe(text);
  });
});

describe('splitAtSentences', () => {
  const sentence = (n: number) =>
    `Sentence number ${n} tells you something useful about the practice and its services today.`;

  test('texts within the limit come back whole', () => {
    expect(splitAtSentences('Short text. Two sentences.')).toEqual(['Short text. Two sentences.']);
    const exact = 'a'.repeat(SMS_MAX_LENGTH);
    expect(splitAtSentences(exact)).toEqual([exact]);
  });

  test('longer texts split at sentence ends into parts of at most 320 characters, nothing lost', () => {
    const text = [1, 2, 3, 4, 5, 6, 7].map(sentence).join(' ');
    expect(text.length).toBeGreaterThan(600);
    const parts = splitAtSentences(text);
    expect(parts.length).toBe(3);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(SMS_MAX_LENGTH);
      expect(part).toMatch(/^Sentence number \d/);
      expect(part).toMatch(/today\.$/);
    }
    expect(parts.join(' ')).toBe(text);
  });

  test('does not break after titles such as "Dr." or "Sra."', () => {
    const filler = 'We see patients of all ages and most insurance plans are accepted here. '.repeat(3);
    const text = `${filler}Dr. Rivera and Dr. Chen see new patients on weekdays from nine to five. ${filler}`;
    const parts = splitAtSentences(text);
    expect(parts.every((part) => part.length <= SMS_MAX_LENGTH)).toBe(true);
    expect(parts.some((part) => part.includes('Dr. Rivera and Dr. Chen see new patients'))).toBe(true);
    const spanish = `${'Atendemos a pacientes de todas las edades en nuestra clínica. '.repeat(4)}La Sra. López le llamará mañana por la mañana.`;
    expect(
      splitAtSentences(spanish, SMS_MAX_LENGTH, 'es').some((part) => part.includes('La Sra. López le llamará')),
    ).toBe(true);
  });

  test('Spanish sentences with ¿? and ¡! are split at their ends', () => {
    const text = Array.from(
      { length: 6 },
      (_, i) => `¿Necesita ayuda con su cita número ${i}? ¡Con gusto le ayudamos por este medio!`,
    ).join(' ');
    const parts = splitAtSentences(text, SMS_MAX_LENGTH, 'es');
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(SMS_MAX_LENGTH);
      expect(part).toMatch(/^¿/);
      expect(part).toMatch(/!$/);
    }
  });

  test('one sentence over the limit splits between words; one huge word between characters', () => {
    const words = Array.from({ length: 80 }, (_, i) => `word${i}`).join(' ');
    const parts = splitAtSentences(words);
    expect(parts.length).toBe(2);
    expect(parts.every((part) => part.length <= SMS_MAX_LENGTH && !part.startsWith(' ') && !part.endsWith(' '))).toBe(
      true,
    );
    expect(parts.join(' ')).toBe(words);
    const huge = 'x'.repeat(700);
    expect(splitAtSentences(huge).map((part) => part.length)).toEqual([320, 320, 60]);
  });

  test('line breaks are boundaries too, and a custom limit is honoured', () => {
    const parts = splitAtSentences('First line without a stop\nSecond line without a stop\nThird line', 30);
    expect(parts).toEqual(['First line without a stop', 'Second line without a stop', 'Third line']);
  });
});

describe('numbered options', () => {
  const options = [
    { title: 'Hours', payload: 'faq.hours' },
    { title: 'Location', payload: 'faq.location' },
    { title: 'Book a visit', payload: 'appointment.book' },
  ];
  const spanishOptions = [
    { title: 'Horario', payload: 'faq.hours' },
    { title: 'Ubicación', payload: 'faq.location' },
    { title: 'Pedir cita', payload: 'appointment.book' },
  ];

  test('renders "Reply 1, 2 or 3" and one line per option', () => {
    expect(renderWithOptions('How can I help?', options, 'en')).toBe(
      'How can I help?\nReply 1, 2 or 3:\n1) Hours\n2) Location\n3) Book a visit',
    );
    expect(renderWithOptions('Pick one', options.slice(0, 2), 'en')).toBe(
      'Pick one\nReply 1 or 2:\n1) Hours\n2) Location',
    );
    expect(renderWithOptions('Confirm?', options.slice(0, 1), 'en')).toBe('Confirm?\nReply 1:\n1) Hours');
  });

  test('renders "Responda 1, 2 o 3" in Spanish', () => {
    expect(renderWithOptions('¿En qué le ayudo?', spanishOptions, 'es')).toBe(
      '¿En qué le ayudo?\nResponda 1, 2 o 3:\n1) Horario\n2) Ubicación\n3) Pedir cita',
    );
    expect(renderWithOptions('¿Confirma?', spanishOptions.slice(0, 2), 'es')).toBe(
      '¿Confirma?\nResponda 1 o 2:\n1) Horario\n2) Ubicación',
    );
  });

  test('no quick replies: the text unchanged', () => {
    expect(renderWithOptions('Thanks!', [], 'en')).toBe('Thanks!');
  });

  test.each([
    '2',
    '2)',
    ' 2. ',
    '#2',
    '2️⃣',
    'option 2',
    '2) Location',
    '2 location',
    'Location',
    'LOCATION!',
    'location.',
  ])('%j picks Location', (reply) => {
    expect(optionFromReply(reply, options)).toBe('faq.location');
  });

  test.each(['2', 'Ubicación', 'ubicacion', 'UBICACIÓN', 'opción 2', '2) Ubicación'])('%j picks Ubicación', (reply) => {
    expect(optionFromReply(reply, spanishOptions)).toBe('faq.location');
  });

  test('multi-word titles match as a whole, case and accents ignored', () => {
    expect(optionFromReply('book a visit', options)).toBe('appointment.book');
    expect(optionFromReply('PEDIR CITA', spanishOptions)).toBe('appointment.book');
  });

  test.each(['', '0', '4', '12', '2) Hours', 'I want the hours please', 'loc', 'yes'])('%j picks nothing', (reply) => {
    expect(optionFromReply(reply, options)).toBeUndefined();
  });

  test('nothing to pick from: nothing picked', () => {
    expect(optionFromReply('1', [])).toBeUndefined();
  });
});
