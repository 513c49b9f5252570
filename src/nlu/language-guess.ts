/**
 * Guesses English or Spanish for one message, fast and without a model: Spanish-only characters and
 * frequent function/domain words of each language vote; a tie (or nothing recognised) means English.
 * The conversation should choose its language once and pass it, so this only decides first contact.
 */
import type { Language } from './nlu-engine';
import { normalizeText, wordsOf } from './text-normalization';

const SPANISH_CHARACTERS = /[¿¡ñáéíóúü]/gi;

/** Endings of Spanish words once accents are stripped (información → informacion, llamando, rápidamente). */
const SPANISH_ENDINGS = /(?:cion|ciones|iendo|ando|mente|dad|dades)$/;

const SPANISH_WORDS = new Set(
  `de la el los las que y en un una unos unas mi mis tu tus su sus por para con sin del al es esta estan este esto eso
  ese son hay tengo tiene tienen tienes quiero quisiera necesito puedo pueden puede podria cita citas hola buenas buenos
  gracias adios ayuda ayudame como cuando donde cual cuales cuanto cuanta cuantos hora horas horario abren cierran abierto
  abierta seguro seguros aceptan receta recetas resultados resultado expediente historial hablar persona dia dias manana
  tarde noche semana lunes martes miercoles jueves viernes sabado domingo proximo proxima siguiente si porfa favor nada mas
  muy pero ya yo te se le lo les nos ahi aqui alla medico medica clinica consulta llamar numero telefono direccion
  estacionamiento pagar pago factura cuenta debo cobraron cancelar cambiar reprogramar confirmo voy ir estare mensajes dejen
  quiero qué hacer tambien todo todos otra otro ustedes usted estoy soy fue hoy ayer bien mal dolor pecho respirar
  pastillas medicina medicinas farmacia doctora enfermera pacientes paciente nuevo nueva primera vez vacunas analisis
  sangre niños ninos hijo hija mama papa esposo esposa ella el ellos algo alguien nadie quien puedes sabes tienes estas
  chao vale claro listo perfecto genial bueno buena entonces aun todavia desde hasta entre sobre cerca lejos reciben toman
  deseo seguir recibiendo ofrecen hacen atienden quitan saludos holi holaa ola alo humano agente operador operadora
  representante parar alto baja cuidate adiosito hablamos luego terminamos agradecido agradecida grax grs mapa correo
  contacto cobro saldo pendiente reembolso nunca ido inscribirme puntos control adultos mayores opciones instrucciones`.split(
    /\s+/,
  ),
);

const ENGLISH_WORDS = new Set(
  `the i i'm im my you your is are to do does did what when where how can could would will need want please pls have has
  of for with and it this that hi hello hey thanks thank appointment appointments appt bill open close hours time
  insurance refill results records talk stop today tomorrow next week monday tuesday wednesday thursday friday saturday
  sunday am pm at on in get there be not don't dont yes bye see day an any u ur we they our up out about from just know
  new help book cancel schedule reschedule confirm number phone park parking address location located pay accept take
  i'll i'd i've what's whats can't cant won't he she his her him them their it's who which why was were been
  being some something someone anyone still again too very much many more most also only just than then so if or but
  by off over under after before now here chest pain breathe breathing hurts doctor's nurse pharmacy prescription meds
  tell give sing write near quit leave alone later catch should shall let let's give directions unsubscribe`.split(
    /\s+/,
  ),
);

/** Returns the most likely language of `text` among English and Spanish (English when undecided). */
export function guessLanguage(text: string): Language {
  const spanishCharacters = text.match(SPANISH_CHARACTERS)?.length ?? 0;
  let spanish = spanishCharacters * 2;
  let english = 0;
  for (const word of wordsOf(normalizeText(text))) {
    if (SPANISH_WORDS.has(word) || SPANISH_ENDINGS.test(word)) spanish += 1;
    if (ENGLISH_WORDS.has(word)) english += 1;
  }
  return spanish > english ? 'es' : 'en';
}
