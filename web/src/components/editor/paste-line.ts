import { pastedLineCleaned } from '../../../../domain/text';

/**
 * A paste into a one-line field of the package form (a title, a name, 主题词) keeps what a reader
 * sees: the zero-width spaces, soft hyphens and tabs a copy from a web page or a chat carries are
 * left out, as the body's editor leaves them out (domain/text.ts pastedLineCleaned). The API would
 * refuse them, naming a character the editor cannot see to delete. Listened to on the form, in the
 * capture phase: every text input under it, a component's too. Text areas and the body's editor
 * keep their own handling.
 */
export function cleanPasteIntoLine(event: ClipboardEvent): void {
  const target = event.target;
  if (!(target instanceof HTMLInputElement) || target.type !== 'text') return;
  const text = event.clipboardData?.getData('text/plain');
  if (!text) return;
  const cleaned = pastedLineCleaned(text);
  if (cleaned === text) return;
  event.preventDefault();
  // As typed: the input's own undo and its input event (v-model) follow.
  document.execCommand('insertText', false, cleaned);
}
