/**
 * The requests of AwsS3DistributionServiceRemoteImpl (wire spec §4.2) sent the
 * TrustedHttpClient way (§4.5), so tests can call the service exactly as Opencast would.
 */
import { trustedPost, type Exchange } from './trusted-client.js';

/** Who calls and what: the proxy's arguments plus the request context. */
export interface ProxyCall {
  channelId: string;
  mediapackageXml: string;
  elementIds: string[];
  organization?: string;
  user?: string;
  currentJobId?: number;
  digestUser: string;
  digestPassword: string;
}

/** Gson's toJson of a string set: no spaces, HTML-sensitive characters as \u escapes. */
export function gsonIds(ids: string[]): string {
  return JSON.stringify(ids).replace(/[<>&='"]/g, (ch) =>
    ch === '"' ? ch : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function contextHeaders(call: ProxyCall): Record<string, string> {
  const h: Record<string, string> = {};
  if (call.organization !== undefined) h['X-Opencast-Matterhorn-Organization'] = call.organization;
  if (call.user !== undefined) h['X-Opencast-Matterhorn-User'] = call.user;
  if (call.currentJobId !== undefined)
    h['X-Opencast-Matterhorn-Current-Job-Id'] = String(call.currentJobId);
  return h;
}

const creds = (call: ProxyCall) => ({ user: call.digestUser, password: call.digestPassword });

/** `distribute(channelId, mp, ids, checkAvailability)` to `serviceUrl` (`{host}/distribution/s3`). */
export function proxyDistribute(
  serviceUrl: string,
  call: ProxyCall & { checkAvailability: boolean },
): Promise<Exchange> {
  const fields: Array<[string, string]> = [
    ['channelId', call.channelId],
    ['mediapackage', call.mediapackageXml],
    ['elementId', gsonIds(call.elementIds)],
    ['checkAvailability', String(call.checkAvailability)],
  ];
  return trustedPost(serviceUrl, fields, contextHeaders(call), creds(call));
}

/** `retract(channelId, mp, ids)` to `{serviceUrl}/retract`; note the proxy's field order. */
export function proxyRetract(serviceUrl: string, call: ProxyCall): Promise<Exchange> {
  const fields: Array<[string, string]> = [
    ['mediapackage', call.mediapackageXml],
    ['elementId', gsonIds(call.elementIds)],
    ['channelId', call.channelId],
  ];
  return trustedPost(`${serviceUrl}/retract`, fields, contextHeaders(call), creds(call));
}
