/**
 * The message form: Enter sends, Shift+Enter starts a new line, the box grows with its text, and typing is reported
 * (the socket throttles it).
 */

const MAX_INPUT_HEIGHT_PX = 128;

export interface ComposerHandlers {
  /** Returns true when the text was accepted (the box is then cleared). */
  submit(text: string): boolean;
  typing(): void;
}

function fitHeight(input: HTMLTextAreaElement): void {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, MAX_INPUT_HEIGHT_PX)}px`;
}

export function bindComposer(form: HTMLFormElement, input: HTMLTextAreaElement, handlers: ComposerHandlers): void {
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    form.requestSubmit();
  });
  input.addEventListener('input', () => {
    fitHeight(input);
    if (input.value.trim() !== '') handlers.typing();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!handlers.submit(input.value)) return;
    input.value = '';
    fitHeight(input);
  });
}
