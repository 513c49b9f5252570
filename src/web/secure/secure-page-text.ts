/**
 * Every word of the secure page and of the code text message, per language, in one place. The field labels "Date
 * of birth" and "Verification code" are part of the public contract (DESIGN §5): people and tests find fields by
 * them. Nothing here may depend on whether a record matched.
 */
import type { SecurePageLanguage } from '../../identity/secure-links';
import type { MessageKey } from './secure-page-types';

interface MessageText {
  readonly heading: string;
  readonly body: string;
  /** Whether to add how to get a new link. */
  readonly offerNewLink: boolean;
}

export interface SecurePageText {
  readonly secureNote: string;
  readonly birthDate: {
    readonly heading: string;
    readonly intro: string;
    readonly label: string;
    readonly submit: string;
    readonly formatError: string;
    readonly codeExpired: string;
    /** When the page asks for the phone on record too (a web chat or Messenger link). */
    readonly introWithPhone: string;
    readonly phoneLabel: string;
    readonly phoneHint: string;
    readonly phoneError: string;
  };
  readonly code: {
    readonly heading: string;
    readonly intro: string;
    readonly label: string;
    readonly hint: string;
    readonly submit: string;
    readonly wrong: string;
    readonly formatError: string;
    readonly noCode: string;
    readonly restart: string;
  };
  readonly content: {
    readonly chat: string;
    readonly callUs: string;
    readonly idleNote: (minutes: number) => string;
    readonly signOut: string;
  };
  readonly messages: Readonly<Record<MessageKey, MessageText>>;
  readonly newLink: string;
  readonly callUs: string;
  readonly codeSms: (practiceName: string, code: string) => string;
  /** When codes may go by email (SMTP configured): the choice on the first form, and the code step's words. */
  readonly byEmail: {
    readonly legend: string;
    readonly textOption: string;
    readonly emailOption: string;
    readonly intro: string;
    readonly hint: string;
    readonly wrong: string;
    readonly formatError: string;
    readonly subject: (practiceName: string) => string;
  };
}

const en: SecurePageText = {
  secureNote: 'Secure page',
  birthDate: {
    heading: 'Confirm it’s you',
    intro:
      'To keep your information private, enter your date of birth. We will then text a code to the phone number we have on record.',
    label: 'Date of birth',
    submit: 'Continue',
    formatError: 'Enter your full date of birth: month, day and year.',
    codeExpired: 'Your code has expired. Enter your date of birth again to get a new one.',
    introWithPhone:
      'To keep your information private, enter your mobile phone number and date of birth. If they match our records, we will text a code to that phone.',
    phoneLabel: 'Mobile phone',
    phoneHint: 'The number you gave us, with area code.',
    phoneError: 'Enter your mobile phone number with its area code, for example (555) 555-0123.',
  },
  code: {
    heading: 'Enter your code',
    intro: 'We sent a code to the phone on record. It expires in 5 minutes.',
    label: 'Verification code',
    hint: 'The 6 digits from our text message.',
    submit: 'Verify',
    wrong: 'That code is not right. Check the text message and try again.',
    formatError: 'Enter the 6 digits from our text message.',
    noCode: 'No code? It can take a minute to arrive.',
    restart: 'Enter your date of birth again',
  },
  content: {
    chat: 'Continue in our secure chat',
    callUs: 'Questions? Call us at',
    idleNote: (minutes) => `For your privacy, you will be signed out after ${minutes} minutes without activity.`,
    signOut: 'Sign out',
  },
  messages: {
    invalid: {
      heading: 'This link does not work',
      body: 'Please check that you opened the whole link from our message.',
      offerNewLink: true,
    },
    expired: {
      heading: 'This link has expired',
      body: 'For your security, our links work for a short time only.',
      offerNewLink: true,
    },
    superseded: {
      heading: 'This link was replaced',
      body: 'We sent you a newer link. Please use the most recent one.',
      offerNewLink: true,
    },
    used: {
      heading: 'This link was already used',
      body: 'For your privacy, each link can be opened only once, on one device.',
      offerNewLink: true,
    },
    'signed-out': {
      heading: 'You were signed out for your privacy',
      body: 'You were signed out because the page was not used for a while.',
      offerNewLink: true,
    },
    'signed-out-by-you': {
      heading: 'You are signed out',
      body: 'Thank you. You can close this page now.',
      offerNewLink: true,
    },
    locked: {
      heading: 'Too many attempts',
      body: 'For your security, this link is locked. Please wait 15 minutes, then ask for a new link.',
      offerNewLink: true,
    },
    'rate-limited': {
      heading: 'Too many attempts',
      body: 'For your security, please wait an hour and try again.',
      offerNewLink: false,
    },
    'form-expired': {
      heading: 'This page has expired',
      body: 'For your security, please open the link from our message again.',
      offerNewLink: false,
    },
    error: { heading: 'Something went wrong', body: 'Please try again in a few minutes.', offerNewLink: false },
  },
  newLink: 'To get a new link, text us or reply in your chat.',
  callUs: 'You can also call us at',
  codeSms: (practiceName, code) =>
    `${practiceName} code: ${code}. It expires in 5 minutes. We will never ask you for it.`,
  byEmail: {
    legend: 'Send my code by',
    textOption: 'Text message to the phone on record',
    emailOption: 'Email to the address on record',
    intro: 'We sent a code to the email address on record. It expires in 5 minutes.',
    hint: 'The 6 digits from our email.',
    wrong: 'That code is not right. Check the email and try again.',
    formatError: 'Enter the 6 digits from our email.',
    subject: (practiceName) => `Your ${practiceName} verification code`,
  },
};

const es: SecurePageText = {
  secureNote: 'Página segura',
  birthDate: {
    heading: 'Confirme que es usted',
    intro:
      'Para proteger su información, escriba su fecha de nacimiento. Luego le enviaremos un código por mensaje de texto al teléfono que tenemos registrado.',
    label: 'Fecha de nacimiento',
    submit: 'Continuar',
    formatError: 'Escriba su fecha de nacimiento completa: día, mes y año.',
    codeExpired: 'Su código venció. Escriba de nuevo su fecha de nacimiento para recibir uno nuevo.',
    introWithPhone:
      'Para proteger su información, escriba su número de teléfono móvil y su fecha de nacimiento. Si coinciden con nuestros registros, le enviaremos un código por mensaje de texto a ese teléfono.',
    phoneLabel: 'Teléfono móvil',
    phoneHint: 'El número que nos dio, con código de área.',
    phoneError: 'Escriba su número de teléfono móvil con el código de área, por ejemplo (555) 555-0123.',
  },
  code: {
    heading: 'Escriba su código',
    intro: 'Enviamos un código al teléfono registrado. Vence en 5 minutos.',
    label: 'Código de verificación',
    hint: 'Los 6 dígitos de nuestro mensaje de texto.',
    submit: 'Verificar',
    wrong: 'Ese código no es correcto. Revise el mensaje de texto e inténtelo de nuevo.',
    formatError: 'Escriba los 6 dígitos de nuestro mensaje de texto.',
    noCode: '¿No le llegó el código? Puede tardar un minuto.',
    restart: 'Escribir otra vez la fecha de nacimiento',
  },
  content: {
    chat: 'Continuar en nuestro chat seguro',
    callUs: '¿Preguntas? Llámenos al',
    idleNote: (minutes) =>
      `Para proteger su privacidad, cerraremos la sesión después de ${minutes} minutos sin actividad.`,
    signOut: 'Cerrar sesión',
  },
  messages: {
    invalid: {
      heading: 'Este enlace no funciona',
      body: 'Revise que abrió el enlace completo de nuestro mensaje.',
      offerNewLink: true,
    },
    expired: {
      heading: 'Este enlace venció',
      body: 'Por su seguridad, nuestros enlaces funcionan solo por poco tiempo.',
      offerNewLink: true,
    },
    superseded: {
      heading: 'Este enlace fue reemplazado',
      body: 'Le enviamos un enlace más reciente. Use el último que recibió.',
      offerNewLink: true,
    },
    used: {
      heading: 'Este enlace ya se usó',
      body: 'Para proteger su privacidad, cada enlace se puede abrir una sola vez, en un solo dispositivo.',
      offerNewLink: true,
    },
    'signed-out': {
      heading: 'Cerramos su sesión para proteger su privacidad',
      body: 'Cerramos la sesión porque la página no se usó por un tiempo.',
      offerNewLink: true,
    },
    'signed-out-by-you': {
      heading: 'Su sesión está cerrada',
      body: 'Gracias. Ya puede cerrar esta página.',
      offerNewLink: true,
    },
    locked: {
      heading: 'Demasiados intentos',
      body: 'Por su seguridad, este enlace está bloqueado. Espere 15 minutos y pida un enlace nuevo.',
      offerNewLink: true,
    },
    'rate-limited': {
      heading: 'Demasiados intentos',
      body: 'Por su seguridad, espere una hora e inténtelo de nuevo.',
      offerNewLink: false,
    },
    'form-expired': {
      heading: 'Esta página venció',
      body: 'Por su seguridad, abra otra vez el enlace de nuestro mensaje.',
      offerNewLink: false,
    },
    error: { heading: 'Algo salió mal', body: 'Inténtelo de nuevo en unos minutos.', offerNewLink: false },
  },
  newLink: 'Para recibir un enlace nuevo, envíenos un mensaje de texto o responda en su chat.',
  callUs: 'También puede llamarnos al',
  codeSms: (practiceName, code) => `Código de ${practiceName}: ${code}. Vence en 5 minutos. Nunca se lo pediremos.`,
  byEmail: {
    legend: 'Enviarme el código por',
    textOption: 'Mensaje de texto al teléfono registrado',
    emailOption: 'Correo electrónico a la dirección registrada',
    intro: 'Enviamos un código a la dirección de correo registrada. Vence en 5 minutos.',
    hint: 'Los 6 dígitos de nuestro correo.',
    wrong: 'Ese código no es correcto. Revise el correo e inténtelo de nuevo.',
    formatError: 'Escriba los 6 dígitos de nuestro correo.',
    subject: (practiceName) => `Su código de verificación de ${practiceName}`,
  },
};

export const SECURE_PAGE_TEXT: Readonly<Record<SecurePageLanguage, SecurePageText>> = { en, es };
