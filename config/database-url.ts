/**
 * Showing DATABASE_URL without its passwords. pg takes every query parameter of the URL as a
 * connection setting, so a password can sit in the user info (`govpub:…@db`) or in the query
 * (`?password=…`, `?sslpassword=…`): both are blanked wherever the URL is printed or recorded.
 */

/** Connection parameters that carry a password (pg reads every query parameter as a setting). */
const PASSWORD_PARAMS = ['password', 'sslpassword'];

/** The URL with every password in it (user info and query parameters) shown as `***`: safe to print. */
export function redactUrl(url: string, mask = '***'): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = mask;
    for (const name of PASSWORD_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, mask);
    // URLSearchParams writes *** percent-encoded; show it as typed.
    return parsed.toString().replaceAll(encodeURIComponent(mask), mask);
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** Every password the URL carries, decoded (so a server or proxy quoting one can be blanked). */
export function passwordsOf(url: string): string[] {
  try {
    const parsed = new URL(url);
    const found = [parsed.password ? decodeURIComponent(parsed.password) : '', ...PASSWORD_PARAMS.map((name) => parsed.searchParams.get(name) ?? '')];
    return found.filter((p) => p !== '');
  } catch {
    return [];
  }
}

/** The URL with its passwords removed (topology.json, the topology's summary): nothing hints one was there. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    for (const name of PASSWORD_PARAMS) parsed.searchParams.delete(name);
    return parsed.toString();
  } catch {
    return '(not a URL; not shown)';
  }
}
