/**
 * The rule for a console password, said once for the server (services/users.ts: `users add`,
 * `set-password`; services/sessions.ts: one's own change) and for the console's 修改密码 dialog,
 * which checks it as it is typed. Pure: no imports.
 */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

/** Why a password cannot be used (null when it can): length and no control characters, in both languages. */
export function passwordProblem(password: string): { message: string; messageZh: string } | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN)
    return { message: `is ${length} characters long; use at least ${PASSWORD_MIN}`, messageZh: `只有 ${length} 个字符，至少需要 ${PASSWORD_MIN} 个` };
  if (length > PASSWORD_MAX)
    return { message: `is ${length} characters long; use at most ${PASSWORD_MAX}`, messageZh: `共 ${length} 个字符，最多 ${PASSWORD_MAX} 个` };
  if (/[\u0000-\u001f\u007f]/.test(password))
    return { message: 'contains a control character (such as a tab or line break); remove it', messageZh: '含有控制字符（如制表符或换行），请删除' };
  return null;
}
