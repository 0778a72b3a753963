/**
 * Connection options for a local dev server, a self-hosted cluster (mTLS) or Temporal Cloud (API key).
 * The SDK's packages load when a connection is made, not with this module: a CLI command that only
 * reads the database (users add, db migrate) would otherwise load gRPC, the protobuf definitions and
 * the worker's native core, about half of its start.
 */
import fs from 'node:fs';
import type { Connection, ConnectionOptions } from '@temporalio/client';
import type { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
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

/** gRPC status codes DescribeNamespace answers with: no such namespace, or not for these credentials. */
const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

export function namespaceMissing(namespace: string, address: string): GovpubError {
  return new GovpubError(
    'temporal_namespace_not_found',
    `The Temporal server at ${address} has no namespace "${namespace}". Create it once (\`temporal operator namespace create --namespace ${namespace} --address ${address}\`, with the cluster's TLS options), or set TEMPORAL_NAMESPACE to one that exists.`,
  );
}

/**
 * A server with no such namespace accepts the connection and fails each call later, a worker with
 * "Namespace not found" and the API's every command with a 500: both say so at start instead.
 */
async function assertNamespace(service: Connection['workflowService'], namespace: string, address: string): Promise<void> {
  try {
    await service.describeNamespace({ namespace });
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === GRPC_NOT_FOUND) throw namespaceMissing(namespace, address);
    if (code === GRPC_PERMISSION_DENIED || code === GRPC_UNAUTHENTICATED) {
      throw new GovpubError(
        'temporal_namespace_denied',
        `The Temporal server at ${address} refuses these credentials for namespace "${namespace}" (${(error as Error).message.split('\n')[0]}). Use the certificate or API key issued for that namespace (TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY or TEMPORAL_API_KEY), or set TEMPORAL_NAMESPACE to the one they are for.`,
      );
    }
    throw unreachable(address, error);
  }
}

/** The connection once its namespace is known to exist there; closed when it does not. */
async function namespaceChecked<C extends { workflowService: Connection['workflowService']; close(): Promise<void> }>(
  connection: C,
  namespace: string,
  address: string,
): Promise<C> {
  try {
    await assertNamespace(connection.workflowService, namespace, address);
    return connection;
  } catch (error) {
    await connection.close();
    throw error;
  }
}

export async function connectClient(settings: TemporalSettings, address = settings.address ?? '127.0.0.1:7233'): Promise<Connection> {
  const options: ConnectionOptions = { address, tls: tlsOptions(settings), apiKey: settings.apiKey, connectTimeout: 5_000 };
  const { Connection } = await import('@temporalio/client');
  let connection: Connection;
  try {
    connection = await Connection.connect(options);
    await connection.workflowService.getSystemInfo({});
  } catch (error) {
    throw unreachable(address, error);
  }
  return namespaceChecked(connection, settings.namespace, address);
}

export async function connectWorker(settings: TemporalSettings, address = settings.address ?? '127.0.0.1:7233'): Promise<NativeConnection> {
  const options: NativeConnectionOptions = { address, tls: tlsOptions(settings), apiKey: settings.apiKey };
  const { NativeConnection } = await import('@temporalio/worker');
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect(options);
  } catch (error) {
    throw unreachable(address, error);
  }
  return namespaceChecked(connection, settings.namespace, address);
}
