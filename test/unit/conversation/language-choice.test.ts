import { chooseConversationLanguage, clearLanguageOf } from '../../../src/conversation/language-choice';

test('clear Spanish and English are recognised; short or mixed text is not', () => {
  expect(clearLanguageOf('¿aceptan Medicaid?')).toBe('es');
  expect(clearLanguageOf('necesito una cita para el martes')).toBe('es');
  expect(clearLanguageOf('what time do you open on saturday?')).toBe('en');
  expect(clearLanguageOf('ok')).toBeUndefined();
  expect(clearLanguageOf('2')).toBeUndefined();
  expect(clearLanguageOf('Medicaid')).toBeUndefined();
});

test('the conversation keeps its language through ambiguous messages and switches on a clear one', () => {
  expect(chooseConversationLanguage(null, 'hola', 'es')).toBe('es');
  expect(chooseConversationLanguage('es', 'ok', 'en')).toBe('es');
  expect(chooseConversationLanguage('es', 'what are your hours on monday', 'en')).toBe('en');
  expect(chooseConversationLanguage('en', '¿aceptan Medicaid?', 'es')).toBe('es');
});
