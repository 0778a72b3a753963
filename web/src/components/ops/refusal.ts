// How the operations pages say that the server refused an action: its Chinese sentence names what
// changed and what to do next, so it stays long enough to read and can be closed.
import { ElMessage } from 'element-plus';
import { ApiError } from '../../api';

/** The refusal's sentence as the API gave it, or `fallback` when the request failed without one. */
export function showRefusal(error: unknown, fallback: string): void {
  showRefusalMessage(error instanceof ApiError ? error.message : fallback);
}

export function showRefusalMessage(message: string): void {
  ElMessage({ type: 'error', message, duration: 10_000, showClose: true });
}
