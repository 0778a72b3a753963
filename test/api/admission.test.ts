import { describe, expect, it } from 'vitest';
import { CommandAdmission, type CommandClass } from '../../api/admission.js';
import { GovpubError } from '../../domain/errors.js';

/** A command that runs until `finish()` is called, recording when it started. */
function held(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    command: async () => {
      log.push(name);
      await done;
      return name;
    },
    finish: () => finish(),
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('CommandAdmission: finish before starting', () => {
  it('runs at most atOnce commands at a time, the rest when a turn frees', async () => {
    const log: string[] = [];
    const gate = new CommandAdmission(2, 10_000);
    const a = held(log, 'a');
    const b = held(log, 'b');
    const c = held(log, 'c');
    const runs = [gate.run('start', a.command), gate.run('start', b.command), gate.run('start', c.command)];
    await tick();
    expect(log).toEqual(['a', 'b']);
    expect(gate.stats()).toEqual({ running: 2, waiting: { finish: 0, start: 1 } });
    a.finish();
    await tick();
    expect(log).toEqual(['a', 'b', 'c']);
    b.finish();
    c.finish();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c']);
    expect(gate.stats()).toEqual({ running: 0, waiting: { finish: 0, start: 0 } });
  });

  it('gives a freed turn to a waiting decision before a create or submit that waited longer', async () => {
    const log: string[] = [];
    const gate = new CommandAdmission(1, 10_000);
    const first = held(log, 'running');
    const order: [CommandClass, string][] = [
      ['start', 'create-1'],
      ['start', 'submit-2'],
      ['finish', 'approve-3'],
      ['finish', 'approve-4'],
    ];
    const running = gate.run('start', first.command);
    const queued = order.map(([kind, name]) => gate.run(kind, async () => void log.push(name)));
    await tick();
    first.finish();
    await Promise.all([running, ...queued]);
    expect(log).toEqual(['running', 'approve-3', 'approve-4', 'create-1', 'submit-2']);
  });

  it('refuses a command that waited longer than maxWaitMs with 503 api_busy, without running it', async () => {
    const log: string[] = [];
    const waits: [CommandClass, number][] = [];
    const gate = new CommandAdmission(1, 50, (kind, sec) => waits.push([kind, sec]));
    const blocker = held(log, 'blocker');
    const running = gate.run('finish', blocker.command);
    const refused = await gate.run('start', async () => void log.push('late')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GovpubError);
    const error = refused as GovpubError;
    expect(error.code).toBe('api_busy');
    expect(error.details).toMatchObject({ status: 503, retryAfterSec: 5 });
    expect(error.message).toMatch(/nothing was changed.*Send it again/);
    expect(error.messageZh).toMatch(/未做任何更改/);
    expect(gate.stats().waiting.start).toBe(0);
    blocker.finish();
    await running;
    expect(log).toEqual(['blocker']);
    // Only the admitted command reported a wait.
    expect(waits.map(([kind]) => kind)).toEqual(['finish']);
  });

  it('drops a waiting command whose client went away, and never runs it', async () => {
    const log: string[] = [];
    const gate = new CommandAdmission(1, 10_000);
    const blocker = held(log, 'blocker');
    const running = gate.run('finish', blocker.command);
    let leave!: () => void;
    const gone = new Promise<void>((resolve) => (leave = resolve));
    const abandoned = gate.run('start', async () => void log.push('abandoned'), gone).catch((error: GovpubError) => error.code);
    await tick();
    expect(gate.stats().waiting.start).toBe(1);
    leave();
    expect(await abandoned).toBe('client_gone');
    expect(gate.stats().waiting.start).toBe(0);
    blocker.finish();
    await running;
    expect(log).toEqual(['blocker']);
  });

  it('gives the turn back when a command fails, so the next one runs', async () => {
    const gate = new CommandAdmission(1, 10_000);
    const failing = gate.run('finish', async () => {
      await tick();
      throw new Error('the workflow refused');
    });
    const next = gate.run('start', async () => 'ran');
    await expect(failing).rejects.toThrow('the workflow refused');
    expect(await next).toBe('ran');
    expect(gate.stats().running).toBe(0);
  });

  it('takes no turn count below one', () => {
    expect(() => new CommandAdmission(0, 1000)).toThrow(/atOnce must be a whole number of 1 or more/);
  });
});
