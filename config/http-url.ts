/**
 * Why a text cannot be an http(s) address govpub calls or gives out (null when it can): settings
 * and command options share it, each phrasing the answer for where the text came from.
 */
export type HttpUrlProblem = 'control_character' | 'not_a_url' | 'not_http' | 'carries_credentials';

export function httpUrlProblem(text: string): HttpUrlProblem | null {
  // The URL parser drops tabs and newlines silently: refuse them (and every control character) first.
  if (/[\u0000-\u001f\u007f]/.test(text)) return 'control_character';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not_a_url';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'not_http';
  if (url.username || url.password) return 'carries_credentials';
  return null;
}

/**
 * A setting's value as a refusal may quote it: a user name and password (what sits before an @
 * after the scheme) hidden even when the rest is no URL, since "http://u:secret@x y" fails to
 * parse and would otherwise be quoted whole.
 */
export function urlAsShown(text: string): string {
  return text.replace(/^([^:/?#]*:\/\/)[^/?#]*@/, '$1<hidden>@');
}
