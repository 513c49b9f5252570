import { guessLanguage } from '../../../src/nlu/language-guess';

describe('guessLanguage', () => {
  it.each([
    '¿aceptan Medicaid?',
    'quiero una cita para el martes',
    'necesito cancelar mi cita de mañana',
    'a que hora abren el sabado',
    'dejen de mandarme mensajes',
    'hola buenas tardes',
    'tengo una pregunta sobre mi factura',
  ])('recognises Spanish: %s', (text) => {
    expect(guessLanguage(text)).toBe('es');
  });

  it.each([
    'what time do you open on saturday?',
    'I need to reschedule my appt',
    'do you take Aetna?',
    'please stop texting me',
    'hello there',
    'can I talk to a person',
    'is José Martinez my doctor?',
  ])('recognises English: %s', (text) => {
    expect(guessLanguage(text)).toBe('en');
  });

  it('falls back to English when nothing tells the languages apart', () => {
    expect(guessLanguage('ok')).toBe('en');
    expect(guessLanguage('')).toBe('en');
    expect(guessLanguage('555-0100')).toBe('en');
  });
});
