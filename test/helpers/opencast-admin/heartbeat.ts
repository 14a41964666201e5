/**
 * JobProducerHeartbeat (protocol §3 step 4): HEAD `{host}{path}/dispatch` for every online,
 * non-maintenance job producer; the second consecutive non-200 unregisters the service.
 */
import { cleanRunningJobs } from './job-ops.js';
import { regKey, type Tables } from './tables.js';
import { trustedRead, type Credentials } from './trusted-client.js';

/** One heartbeat round; `watch` is the node's watch list and persists between rounds. */
export async function heartbeatRound(
  t: Tables,
  creds: Credentials,
  watch: Set<string>,
  signal: AbortSignal,
): Promise<void> {
  const targets = [...t.registrations.values()].filter((r) => {
    const host = t.hosts.get(r.host);
    return (
      r.online &&
      r.jobProducer &&
      !r.maintenance &&
      host?.online === true &&
      host.active &&
      !host.maintenance
    );
  });
  // Probed one after another, as Opencast does: a slow HEAD delays the others.
  for (const r of targets) {
    if (signal.aborted) return;
    const key = regKey(r.type, r.host);
    let ok = false;
    try {
      ok =
        (
          await trustedRead(
            'HEAD',
            `${r.host}${r.path}/dispatch`,
            creds,
            AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
          )
        ).status === 200;
    } catch {
      ok = false;
    }
    if (ok) {
      watch.delete(key);
    } else if (watch.has(key)) {
      watch.delete(key);
      r.online = false;
      cleanRunningJobs(t, r.type, r.host);
    } else {
      watch.add(key);
    }
  }
}
