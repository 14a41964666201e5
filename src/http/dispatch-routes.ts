import { Hono } from 'hono';
import { jobIdSchema } from '../contract/command.js';
import { AppError } from '../errors.js';
import { readForm } from './read-form.js';
import { optionalField, requiredField } from './request-fields.js';

/** How `POST …/dispatch` went when it did not throw. */
export type DispatchResult =
  | { readonly accepted: true }
  /** The job is not ready to be taken here now (e.g. somebody else changed it): try another. */
  | { readonly accepted: false; readonly reason: string };

/** What the job-producer routes need. */
export interface DispatchRouteDeps {
  /**
   * Whether this process takes work now (broker connected, not shutting down). It answers
   * Opencast's heartbeat, so it must be fast and do no I/O. Undefined: always.
   */
  readonly accepting?: (() => boolean) | undefined;
  /**
   * Takes a job Opencast's dispatcher hands over (Opencast mode). Throws JOB_NOT_RUNNABLE
   * for a job that can never run here, JOB_NOT_FOUND for an unknown one. Undefined:
   * standalone, every dispatch is refused with 503.
   */
  readonly dispatch?:
    ((jobId: string, operation: string | undefined) => Promise<DispatchResult>) | undefined;
}

const NOT_READY = { 'Retry-After': '10' };

/**
 * Opencast's job-producer endpoints (protocol §3 steps 4 and 7). `HEAD|GET /dispatch` is
 * the registry's heartbeat: two failures in a row take the service offline cluster-wide, so
 * it answers from process state only. `POST /dispatch` (form `id`, `operation`) takes a
 * QUEUED or RESTART job: 204 accepted (the job is RUNNING in the registry and its command
 * published), 503 try another node, 412 the job can never run (Opencast fails it).
 */
export function dispatchRoutes(deps: DispatchRouteDeps): Hono {
  const app = new Hono();
  const accepting = () => deps.accepting?.() ?? true;

  // Hono answers HEAD with the GET route (without the body).
  app.get('/dispatch', (c) =>
    accepting() ? c.body(null, 200) : c.text('Not accepting work', 503, NOT_READY),
  );

  app.post('/dispatch', async (c) => {
    const { dispatch } = deps;
    if (dispatch === undefined) {
      return c.text('This service does not take jobs from the dispatcher', 503, NOT_READY);
    }
    if (!accepting()) return c.text('Not accepting work', 503, NOT_READY);
    const form = await readForm(c);
    const rawId = requiredField(form, 'id').trim();
    const id = jobIdSchema.safeParse(rawId);
    if (!id.success) throw new AppError('INVALID_INPUT', "Form field 'id' must be a job id");
    const result = await dispatch(id.data, optionalField(form, 'operation'));
    if (!result.accepted) return c.text(result.reason, 503, NOT_READY);
    return c.body(null, 204);
  });
  return app;
}
