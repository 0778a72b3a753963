/** Connection options for a local dev server, a self-hosted cluster (mTLS) or Temporal Cloud (API key). */
import fs from 'node:fs';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalSettings } from '../config/settings.js';
import { GovpubError } from '../domain/errors.js';

function readPem(path: string, envName: string): Buffer {
  try {
    return fs.readFileSync(path);
  } catch (error) {
    throw new GovpubError('setting_invalid', `${envName}=${path} cannot be read (${(error as NodeJS.ErrnoException).code}). Point it at a PEM file.`);
  }
}

function tlsOptions(settings: TemporalSettings): ConnectionOptions['tls'] {
  const wantsTls = settings.tlsCertPath || settings.tlsCaPath || settings.apiKey;
  if (!wantsTls) return undefined;
  if (Boolean(settings.tlsCertPath) !== Boolean(settings.tlsKeyPath)) {
    throw new GovpubError('setting_invalid', 'TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both (mTLS) or neither.');
  }
  return {
    ...(settings.tlsCertPath && settings.tlsKeyPath
      ? { clientCertPair: { crt: readPem(settings.tlsCertPath, 'TEMPORAL_TLS_CERT'), key: readPem(settings.tlsKeyPath, 'TEMPORAL_TLS_KEY') } }
      : {}),
    ...(settings.tlsCaPath ? { serverRootCACertificate: readPem(settings.tlsCaPath, 'TEMPORAL_TLS_CA') } : {}),
    ...(settings.tlsServerName ? { serverNameOverride: settings.tlsServerName } : {}),
  };
}

function unreachable(address: string, error: unknown): GovpubError {
  return new GovpubError(
    'temporal_unreachable',
    `Cannot reach the Temporal server at ${address} (${(error as Error).message.split('\n')[0]}). Start it, or fix TEMPORAL_ADDRESS (and the TLS/API-key settings for a cluster); unset TEMPORAL_ADDRESS to let \`govpub start\` run a local dev server.`,
  );
}

export async function connectClient(settings: TemporalSettings, address = settings.address ?? '127.0.0.1:7233'): Promise<Connection> {
  const options: ConnectionOptions = { address, tls: tlsOptions(settings), apiKey: settings.apiKey, connectTimeout: 5_000 };
  try {
    const connection = await Connection.connect(options);
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (error) {
    throw unreachable(address, error);
  }
}

export async function connectWorker(settings: TemporalSettings, address = settings.address ?? '127.0.0.1:7233'): Promise<NativeConnection> {
  const options: NativeConnectionOptions = { address, tls: tlsOptions(settings), apiKey: settings.apiKey };
  try {
    return await NativeConnection.connect(options);
  } catch (error) {
    throw unreachable(address, error);
  }
}
