/**
 * The console's one way to the API: same origin, the session cookie, the CSRF token on every state
 * change, and errors as ApiError with the Chinese sentence the API gives (messageZh) when there is one.
 */
import { session, onSignedOut } from './session';

export interface FieldIssue {
  path: string;
  message: string;
  messageZh?: string;
}

export interface Problem {
  code: string;
  field: string;
  message: string;
  messageEn?: string;
  channelId?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function messageOf(body: unknown, status: number): { code: string; message: string; issues: FieldIssue[]; problems: Problem[] } {
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!error) return { code: `http_${status}`, message: `服务器返回了 HTTP ${status}，请稍后重试。`, issues: [], problems: [] };
  const message = (error.messageZh as string | undefined) ?? (error.message as string | undefined) ?? `HTTP ${status}`;
  return {
    code: String(error.code ?? `http_${status}`),
    message,
    issues: (error.issues as FieldIssue[] | undefined) ?? [],
    problems: (error.problems as Problem[] | undefined) ?? [],
  };
}

export async function request<T>(method: Method, path: string, body?: unknown, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': 'zh-CN' };
  if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = 'application/json';
  if (method !== 'GET' && session.csrfToken) headers['x-csrf-token'] = session.csrfToken;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers,
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
      ...init,
    });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试。');
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) {
    const { code, message, issues, problems } = messageOf(parsed, response.status);
    if (response.status === 401 && !path.startsWith('/api/session')) onSignedOut();
    throw new ApiError(response.status, code, message, issues, problems);
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, body ?? {}),
  delete: <T>(path: string) => request<T>('DELETE', path),
};

/** Builds a query string from the set values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/**
 * Uploads a file with progress (fetch has no upload progress): XMLHttpRequest with the same
 * cookie and CSRF header as every other state change.
 */
export function upload<T>(path: string, form: FormData, onProgress: (percent: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('accept-language', 'zh-CN');
    if (session.csrfToken) xhr.setRequestHeader('x-csrf-token', session.csrfToken);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(Math.round((event.loaded / event.total) * 100));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', '上传中断，请检查网络后重试。'));
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        parsed = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(parsed as T);
      else {
        const { code, message, issues, problems } = messageOf(parsed, xhr.status);
        reject(new ApiError(xhr.status, code, message, issues, problems));
      }
    };
    xhr.send(form);
  });
}
