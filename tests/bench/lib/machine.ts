// Describes the machine a benchmark ran on (for the README table and the raw
// JSON): cores, CPU, Node, nginx and wrk versions, date and load average, since
// these 2-core machines are shared and the load at start explains noisy runs.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { describeVersion, findBinary } from './requirements.ts';

export interface MachineInfo {
  date: string;
  cores: number;
  cpu: string;
  node: string;
  nginx: string | null;
  wrk: string | null;
  loadAverage: number[];
}

export function describeMachine(): MachineInfo {
  const nginx = findBinary('nginx');
  const wrk = findBinary('wrk');
  return {
    date: new Date().toISOString(),
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    nginx: nginx ? describeVersion(nginx, ['-v']).replace(/^nginx version: /, '') : null,
    wrk: wrk ? describeVersion(wrk, ['-v']).split(' [')[0] ?? null : null,
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
  };
}

export function formatMachine(machine: MachineInfo): string {
  return [
    `${machine.date.slice(0, 16).replace('T', ' ')} UTC`,
    `${machine.cores} cores (${machine.cpu})`,
    `Node ${machine.node}`,
    machine.nginx ?? 'nginx missing',
    machine.wrk ?? 'wrk missing',
    `load average at start ${machine.loadAverage.join(' / ')}`,
  ].join(', ');
}
