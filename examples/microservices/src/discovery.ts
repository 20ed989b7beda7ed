import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Prometheus `file_sd` registration: a service writes a target file when it starts serving
 * /metrics and removes it when it stops. Prometheus watches the folder, so a new service is
 * scraped without a restart or reload.
 */
export interface Registration {
  path: string;
  /** Epoch ms when the file appeared. */
  registeredAt: number;
  deregister(): void;
}

export function registerTarget(
  directory: string,
  service: string,
  address: string,
  labels: Record<string, string> = {},
): Registration {
  const name = `${service}-${process.pid}.json`;
  const path = join(directory, name);
  const body = JSON.stringify([{ targets: [address], labels: { job: service, ...labels } }], null, 2);
  // Write beside, then rename: Prometheus never reads a half-written file.
  const staging = join(directory, `.${name}.tmp`);
  writeFileSync(staging, body);
  renameSync(staging, path);
  return {
    path,
    registeredAt: Date.now(),
    deregister: () => rmSync(path, { force: true }),
  };
}
