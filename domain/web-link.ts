/**
 * A web address a package may link to (an H5 interpretation's page, an attachment's link): an
 * absolute http(s) URL with a host, with no spaces or control characters. Browsers and URL parsers
 * repair what is not (they drop a newline, read `http:///x` as host `x`), so a page would link
 * somewhere the editor never wrote: such an address is refused when saved, and an older revision
 * that holds one is not linked by any channel.
 */

export const WEB_LINK_MESSAGES = {
  scheme: 'must be an http(s) URL',
  noHost: 'has no host after http(s)://: write the whole address, such as https://www.beilin.gov.cn/…',
  invalid: 'is not a valid web address: check it against the address bar, such as https://www.beilin.gov.cn/…',
  spaces: 'contains spaces or control characters, which a web address cannot hold: remove them (write a space inside a path as %20)',
  credentials: 'holds a user name or password before the host (user:password@…), which the link would show to every reader: remove it',
} as const;

/** The same sentences in Simplified Chinese (the API's issues and the channels' problems say them). */
export const WEB_LINK_MESSAGES_ZH: Record<(typeof WEB_LINK_MESSAGES)[keyof typeof WEB_LINK_MESSAGES], string> = {
  [WEB_LINK_MESSAGES.scheme]: '须为 http(s) 网址',
  [WEB_LINK_MESSAGES.noHost]: '在 http(s):// 之后缺少网站地址（主机名），请填写完整网址，例如 https://www.beilin.gov.cn/…',
  [WEB_LINK_MESSAGES.invalid]: '不是有效的网址，请对照浏览器地址栏核对，例如 https://www.beilin.gov.cn/…',
  [WEB_LINK_MESSAGES.spaces]: '含有空格或控制字符，网址中不能有，请删除（路径中的空格请写作 %20）',
  [WEB_LINK_MESSAGES.credentials]: '在网站地址前含有用户名或密码（用户名:密码@…），链接会让每位读者看到，请删除',
};

/** Why `url` (as stored, trimmed) is not an address a page may link to, or null when it is one. */
export function webLinkProblem(url: string): (typeof WEB_LINK_MESSAGES)[keyof typeof WEB_LINK_MESSAGES] | null {
  const scheme = /^(https?):\/\//i.exec(url);
  if (!scheme) return WEB_LINK_MESSAGES.scheme;
  // Whitespace of any kind (a full-width space too), C0 and C1 controls, DEL.
  if (/[\s\u0000-\u001f\u007f-\u009f]/u.test(url)) return WEB_LINK_MESSAGES.spaces;
  const authority = url.slice(scheme[0].length).split(/[/?#]/, 1)[0] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
  if (host === '' || /^\.+$/.test(host)) return WEB_LINK_MESSAGES.noHost;
  if (authority.includes('@')) return WEB_LINK_MESSAGES.credentials;
  try {
    const parsed = new URL(url);
    return parsed.hostname ? null : WEB_LINK_MESSAGES.noHost;
  } catch {
    return WEB_LINK_MESSAGES.invalid;
  }
}

/** Whether a page may link to `url` (see webLinkProblem). */
export function isWebLink(url: string | null | undefined): url is string {
  return typeof url === 'string' && webLinkProblem(url) === null;
}
