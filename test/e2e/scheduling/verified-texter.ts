/**
 * A patient texting the demo practice who proves who they are the way the product asks: the booking question is
 * answered with "are you already a patient?", "1" brings the secure link, the page takes the date of birth and the
 * code texted to the phone on record, and YES (or SÍ) lets details come by text.
 */
import { TestBrowser, enterBirthDate } from '../../integration/secure-page/secure-page-harness';
import { TextingPhone } from '../../integration/twilio/texting-phone';
import type { TwilioProductSetup } from '../../integration/twilio/twilio-test-kit';

export async function verifiedTexter(
  setup: TwilioProductSetup,
  phoneNumber: string,
  birthDate: string,
  firstText: string,
): Promise<TextingPhone> {
  const phone = new TextingPhone(setup, phoneNumber);
  const [asked] = await phone.text(firstText);
  if (!/already a patient|ya es paciente/.test(asked ?? ''))
    throw new Error(`expected the identity question, got: ${asked}`);
  const link = new URL(phone.secureLinkIn(await phone.text('1', 2))).pathname;
  const browser = new TestBrowser(`http://127.0.0.1:${setup.port}`);
  const sentBefore = phone.received().length;
  const codePage = await enterBirthDate(browser, link, birthDate);
  const code = await phone.codeAfter(sentBefore);
  const verified = await browser.submit(link, codePage, 'code', { code });
  if (verified.status !== 303) throw new Error(`verification failed with ${verified.status}`);
  await phone.text(/[áéíóúñ¿]/i.test(firstText) ? 'SÍ' : 'YES');
  return phone;
}

/** The options of an SMS offer ("1) …" lines), without the trailing "None of these". */
export function offeredTimes(offer: string | undefined): string[] {
  const options = [...(offer ?? '').matchAll(/^(\d)\) (.+)$/gm)].map((match) => match[2]!);
  return options.slice(0, -1);
}
