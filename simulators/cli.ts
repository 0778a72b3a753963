/**
 * `govpub simulators`: starts every platform simulator and prints where they listen.
 * The main CLI calls runSimulators(opts); it resolves once all are listening and returns
 * a handle whose `closed` promise settles when they have been stopped (Ctrl-C / SIGTERM).
 */
import { readGivenFile } from '../cli/given-file.js';
import { decodeUtf8Body, jsonFault } from '../api/json-body.js';
import { GovpubError } from '../domain/errors.js';
import { SIMULATOR_KINDS, validateFaultRule, type FaultRuleInput, type SimulatorKind } from './common.js';
import { MANUAL_HANDOFF_CHANNELS, startAllSimulators, type AllSimulators } from './index.js';

export interface RunSimulatorsOptions {
  /** First port (default 7301); kinds get consecutive ports in the order of SIMULATOR_KINDS. */
  basePort?: number;
  host?: string;
  seed?: number;
  publishDelayMs?: number;
  /** A JSON file with fault rules: an array (all kinds) or { "<kind>": [rules] }. */
  faultsFile?: string;
  /** Only these kinds. */
  kinds?: SimulatorKind[];
  /** Print machine-readable JSON instead of a table. */
  json?: boolean;
  /** Where lines go (default console.log). */
  print?: (line: string) => void;
  /** Stop on SIGINT/SIGTERM (default true). */
  handleSignals?: boolean;
}

export interface RunningSimulators extends AllSimulators {
  /** Settles when the simulators have been stopped. */
  closed: Promise<void>;
}

async function loadFaults(file: string): Promise<Partial<Record<SimulatorKind, FaultRuleInput[]>> | FaultRuleInput[]> {
  // Refusals name the file, the place and the rule, as every other file the CLI reads (not "unexpected error").
  const refused = (why: string) => new GovpubError('invalid_fault_rules', `${file}: ${why}. See simulators/README.md for the rules' shape.`);
  const bytes = readGivenFile(file, {
    what: 'a JSON file of fault rules (simulators/README.md)',
    whatZh: '故障规则的 JSON 文件（见 simulators/README.md）',
    maxBytes: 1024 * 1024,
    limitReason: 'far more than any set of fault rules',
    limitReasonZh: '远超任何故障规则文件的大小',
  });
  let text: string;
  try {
    text = decodeUtf8Body(bytes, 'file');
  } catch (error) {
    throw refused((error as Error).message.replace(/\.$/, ''));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const { line, column, problem } = jsonFault(text);
    throw refused(`line ${line}, column ${column}: not valid JSON: ${problem}`);
  }
  const rulesAt = (rules: unknown[], where: string) =>
    rules.map((rule, i) => {
      try {
        return validateFaultRule(rule);
      } catch (e) {
        throw refused(`${where}[${i}]: ${(e as Error).message.replace(/^fault rule: /, '')}`);
      }
    });
  if (Array.isArray(parsed)) return rulesAt(parsed, 'rules');
  if (typeof parsed === 'object' && parsed !== null) {
    const out: Partial<Record<SimulatorKind, FaultRuleInput[]>> = {};
    for (const [kind, rules] of Object.entries(parsed)) {
      if (!(SIMULATOR_KINDS as readonly string[]).includes(kind)) throw refused(`unknown simulator kind "${kind}" (known: ${SIMULATOR_KINDS.join(', ')})`);
      if (!Array.isArray(rules)) throw refused(`"${kind}" must map to an array of rules`);
      out[kind as SimulatorKind] = rulesAt(rules, kind);
    }
    return out;
  }
  throw refused('expected an array of fault rules or an object { "<kind>": [rules] }');
}

export async function runSimulators(opts: RunSimulatorsOptions = {}): Promise<RunningSimulators> {
  const print = opts.print ?? ((line: string) => console.log(line));
  const faults = opts.faultsFile ? await loadFaults(opts.faultsFile) : undefined;
  const all = await startAllSimulators({
    basePort: opts.basePort ?? 7301,
    basePortSetting: '--base-port',
    host: opts.host,
    seed: opts.seed,
    publishDelayMs: opts.publishDelayMs,
    faults,
    kinds: opts.kinds,
  });

  if (opts.json) {
    print(JSON.stringify({ urls: all.urls, manualHandoff: MANUAL_HANDOFF_CHANNELS }));
  } else {
    print('Platform simulators (control API under /__sim/, see simulators/README.md):');
    for (const [kind, url] of Object.entries(all.urls)) print(`  ${kind.padEnd(10)} ${url}`);
    print(`  (no simulator for ${MANUAL_HANDOFF_CHANNELS.join(', ')}: manual hand-off channels)`);
  }

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await all.close();
    resolveClosed();
  };
  const onSignal = () => {
    void stop();
  };
  if (opts.handleSignals !== false) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return { ...all, close: stop, closed };
}
