/**
 * A small real HTTP server in front of a running govpub for the compliance page's browser tests,
 * while the monitor's own routes (api/compliance-routes.ts, another branch) are not in this one:
 * it answers /api/compliance, /api/compliance/history and /api/compliance/runs with the shapes of
 * domain/compliance/model.ts (filters, scope by the caller's unit, cursors, a run that finishes
 * on its second poll) and passes every other request through to govpub unchanged (the console,
 * sign-in, /api/units), so the browser sees one origin. Who is asking is learnt from govpub
 * itself (GET /api/session with the caller's cookie), as the real routes learn it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ComplianceRunSummary, ComplianceView, Finding, FindingEvent, Severity, ThresholdStatus } from '../../domain/compliance/model.js';

export interface ComplianceFixture {
  findings: Finding[];
  events: FindingEvent[];
  thresholds: ThresholdStatus[];
  lastRun: ComplianceRunSummary | null;
  notCovered: ComplianceView['notCovered'];
  /** Applied when a run started here finishes (e.g. a finding closes). */
  onRunFinished?: (fixture: ComplianceFixture) => void;
}

export interface ComplianceFront {
  url: string;
  /** Every compliance request as it arrived: method, path with query, the caller's role, whether a CSRF header came with it. */
  requests: { method: string; url: string; role: string | null; csrf: boolean }[];
  close(): Promise<void>;
}

const HISTORY_PAGE = 3;

interface Caller {
  role: string;
  unit: string | null;
}

export async function startComplianceFront(upstream: string, fixture: ComplianceFixture): Promise<ComplianceFront> {
  const target = new URL(upstream);
  const requests: ComplianceFront['requests'] = [];
  const runs = new Map<string, number>();

  async function callerOf(req: http.IncomingMessage): Promise<Caller | null> {
    const response = await fetch(`${upstream}/api/session`, {
      headers: {
        ...(req.headers.cookie ? { cookie: req.headers.cookie } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      },
    });
    if (!response.ok) return null;
    const answer = (await response.json()) as { user: { role: string; unit: { id: string } | null } };
    return { role: answer.user.role, unit: answer.user.unit?.id ?? null };
  }

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: string, message: string, messageZh: string) =>
    send(res, status, { error: { code, message, messageZh } });

  function scoped<T extends { ownerUnit: string | null }>(rows: T[], caller: Caller, query: URLSearchParams): T[] {
    const mine = caller.role === 'editor' || query.get('scope') === 'mine';
    return mine ? rows.filter((r) => r.ownerUnit === caller.unit) : rows;
  }

  async function compliance(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const caller = await callerOf(req);
    requests.push({ method: req.method!, url: url.pathname + url.search, role: caller?.role ?? null, csrf: typeof req.headers['x-csrf-token'] === 'string' });
    if (!caller) return error(res, 401, 'unauthorized', 'Sign in first.', '请先登录。');
    const q = url.searchParams;

    if (req.method === 'GET' && url.pathname === '/api/compliance') {
      const inScope = scoped(fixture.findings, caller, q);
      const status = q.get('status') ?? 'open';
      const findings = inScope.filter(
        (f) =>
          (status === 'all' || f.status === status) &&
          (!q.get('severity') || f.severity === q.get('severity')) &&
          (!q.get('kind') || f.kind === q.get('kind')) &&
          (!q.get('unit') || f.ownerUnit === q.get('unit')),
      );
      const counts = { reminder: 0, warning: 0, veto: 0 } as Record<Severity, number>;
      for (const f of inScope) if (f.status === 'open') counts[f.severity] += 1;
      const view: ComplianceView = {
        lastRun: fixture.lastRun,
        thresholds: fixture.thresholds,
        counts,
        findings,
        nextCursor: null,
        notCovered: fixture.notCovered,
      };
      return send(res, 200, view);
    }
    if (req.method === 'GET' && url.pathname === '/api/compliance/history') {
      const events = scoped(fixture.events, caller, q);
      const from = Number(q.get('cursor') ?? 0);
      const page = events.slice(from, from + HISTORY_PAGE);
      return send(res, 200, { events: page, nextCursor: from + HISTORY_PAGE < events.length ? String(from + HISTORY_PAGE) : null });
    }
    if (req.method === 'POST' && url.pathname === '/api/compliance/runs') {
      if (!['ops', 'admin'].includes(caller.role)) return error(res, 403, 'forbidden', 'Only operations start a check.', '只有运维人员和管理员可以发起检查。');
      if (!req.headers['x-csrf-token']) return error(res, 403, 'csrf_failed', 'The CSRF header is missing.', '缺少 CSRF 令牌。');
      const workflowId = `compliance-manual-${runs.size + 1}`;
      runs.set(workflowId, 0);
      const location = `/api/compliance/runs/${workflowId}`;
      return send(res, 202, { workflowId, status: 'running', location }, { location });
    }
    const run = /^\/api\/compliance\/runs\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && run && runs.has(run[1]!)) {
      const polls = runs.get(run[1]!)! + 1;
      runs.set(run[1]!, polls);
      if (polls === 2) fixture.onRunFinished?.(fixture);
      return send(res, 200, { workflowId: run[1], status: polls >= 2 ? 'completed' : 'running' });
    }
    return error(res, 404, 'not_found', `No route ${req.method} ${url.pathname}.`, '没有这个接口。');
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://front.invalid');
    if (url.pathname === '/api/compliance' || url.pathname.startsWith('/api/compliance/')) {
      compliance(req, res, url).catch((e: unknown) => error(res, 500, 'internal', String(e), '内部错误。'));
      return;
    }
    // Everything else goes to govpub as it came (the Host header too, so its own-origin check sees this server).
    const forward = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
