// The sentence for a simulator port that is taken: said by the simulators when one fails to listen,
// and by `govpub start` when it checks its ports before it changes anything.
import { GovpubError } from '../domain/errors.js';
import { SIMULATOR_KINDS, type SimulatorKind } from './common/units.js';

/** Port `port` of the `kind` simulator is taken; `first` is the first port and `setting` where it came from. */
export function simulatorPortInUse(kind: SimulatorKind, port: number, first: number, setting: string): GovpubError {
  const last = first + SIMULATOR_KINDS.length - 1;
  return new GovpubError(
    'port_in_use',
    `Port ${port} for the ${kind} simulator is already in use. Stop whatever uses it or set ${setting} to another first port (the simulators take ${SIMULATOR_KINDS.length} ports from it, ${first}-${last} now).`,
    { port, setting },
    {
      zh: `模拟器 ${kind} 所需的端口 ${port} 已被占用。请停止占用该端口的程序，或将 ${setting} 改为另一个起始端口（模拟器自该端口起共占用 ${SIMULATOR_KINDS.length} 个端口，现为 ${first}-${last}）。`,
    },
  );
}
