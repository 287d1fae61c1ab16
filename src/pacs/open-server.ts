// Owns turning a server name into a ready client: the settings entry, its secret from the given store, and
// the Authorization header — the one place a secret is handled, and it goes no further than the client.
import { DicomwebClient, type DicomwebClientOptions } from './dicomweb-client.ts';
import { authorizationFor, type SecretStore } from './secret-store.ts';
import { findServer } from './server-settings.ts';

export async function openServer(
  dataDir: string,
  name: string,
  secrets: SecretStore,
  options: Omit<DicomwebClientOptions, 'authorization'> = {},
): Promise<DicomwebClient> {
  const server = await findServer(dataDir, name);
  const authorization = await authorizationFor(server, secrets);
  return new DicomwebClient(server, { ...options, authorization });
}
