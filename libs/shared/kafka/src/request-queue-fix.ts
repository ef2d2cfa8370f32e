import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 keeps every broker connection's request queue awake 1,000 times a second when nothing is
 * queued (tulios/kafkajs#1556, #1604, #1704; the fix in PR #1667 was never merged and kafkajs has had no
 * release since 2.2.4). `scheduleCheckPendingRequests` computes `throttledUntil - Date.now()`, which is
 * negative when the connection is not throttled (`throttledUntil` starts at -1), and with an empty queue it
 * schedules the next check with that negative delay: a 1 ms `setTimeout` whose callback schedules the next.
 * Measured on the dev stack (`strace -c -p <pid>`, `/proc/<pid>/status`): ~870 wake-ups a second and
 * 50–70 ms of CPU a second in each idle service, ~8 % of a 2-core machine for the three of them, and the
 * bench's own clients on top (docs/benchmarks.md, run 9).
 *
 * A check with nothing queued is never needed. A request is queued only in `push` (throttled, or at the
 * in-flight limit), and `push` schedules a check for it. A request that finishes, or times out, makes the
 * queue check at once (`fulfillRequest`, the timeout callback). So this version does what 2.2.4 does
 * whenever something is queued or the connection is throttled, and nothing when neither holds. That is the
 * fix proposed upstream (PR #1667 and the review of #1768).
 *
 * Why a patch at run time and not patch-package: the fix must hold wherever kafkajs runs (the services,
 * the test stack, the Docker image, the bench, the CLI), none of which should depend on an install step
 * that `npm ci --omit=dev` or `--ignore-scripts` skips. The spec pins the version it was written for.
 */

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs' own interval for re-checking a queue that waits on its in-flight limit. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

export const PATCHED_KAFKAJS_VERSION = '2.2.4';

function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  let scheduleAt = this.throttledUntil - Date.now();
  if (this.pending.length > 0) {
    scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL_MS;
  } else if (scheduleAt <= 0) {
    return; // nothing queued and not throttled: the next push or answer checks the queue
  }
  this.throttleCheckTimeoutId = setTimeout(() => {
    this.throttleCheckTimeoutId = null;
    this.checkPendingRequests();
  }, scheduleAt);
}

/**
 * Replaces kafkajs' `RequestQueue.prototype.scheduleCheckPendingRequests` (idempotent). Refuses any
 * other kafkajs version than the one the fix was written for, so that an upgrade makes someone look.
 * Returns the patched class (for the spec).
 */
export function fixKafkajsIdleLoop(): { prototype: RequestQueueInternals } {
  const require = createRequire(__filename);
  const version = (require('kafkajs/package.json') as { version: string }).version;
  if (version !== PATCHED_KAFKAJS_VERSION) {
    throw new Error(
      `kafkajs ${version} is installed; libs/shared/kafka/src/request-queue-fix.ts was written for ${PATCHED_KAFKAJS_VERSION}. ` +
        'Check whether tulios/kafkajs#1556 is fixed in it and drop or adapt the fix.',
    );
  }
  const RequestQueue = require('kafkajs/src/network/requestQueue') as { prototype: RequestQueueInternals };
  RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests; // the same function each time
  return RequestQueue;
}
