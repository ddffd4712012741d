import { isIdpError, type IdentityProvider } from '../ports/identity-provider.ts';
import type { EnginePorts } from '../ports/engine-ports.ts';
import type { Mailer } from '../mail/mailer.ts';
import { mailKindOf, type RehomeMetrics } from './metrics.ts';

/**
 * Engine ports that report to the app's metrics: every IdentityProvider call counted and timed, every engine event
 * counted before it goes on to the run's own listener. The engine itself knows nothing of metrics.
 */
export function instrumentEnginePorts(ports: EnginePorts, metrics: RehomeMetrics): EnginePorts {
  const listener = ports.onEvent;
  return {
    ...ports,
    idp: instrumentIdp(ports.idp, metrics),
    onEvent: (event) => {
      metrics.onEngineEvent(event);
      listener?.(event);
    },
  };
}

/** The outcome label of a call: `ok`, the port's error code (a fixed union), or `error` for anything else. */
const outcomeOf = (error: unknown): string => (isIdpError(error) ? error.code : 'error');

/**
 * Decorates the IdentityProvider port (STYLE.md rule 4: capabilities passed in, nothing patched). The optional
 * bulk methods stay absent when the adapter lacks them, so the engine still falls back to the one-item calls.
 */
export function instrumentIdp(idp: IdentityProvider, metrics: RehomeMetrics): IdentityProvider {
  const timed = <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    const started = performance.now();
    try {
      const result = await call(...args);
      metrics.idpRequest(operation, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      metrics.idpRequest(operation, outcomeOf(error), (performance.now() - started) / 1000);
      throw error;
    }
  };
  const wrapped: IdentityProvider = {
    findUser: timed('find_user', (q) => idp.findUser(q)),
    createUser: timed('create_user', (u) => idp.createUser(u)),
    linkUser: timed('link_user', (id, externalId) => idp.linkUser(id, externalId)),
    updateUser: timed('update_user', (id, patch) => idp.updateUser(id, patch)),
    ensureProductProfile: timed('ensure_product_profile', (p) => idp.ensureProductProfile(p)),
    addProfileMembers: timed('add_profile_members', (id, users) => idp.addProfileMembers(id, users)),
    removeProfileMembers: timed('remove_profile_members', (id, users) => idp.removeProfileMembers(id, users)),
    unlinkUser: timed('unlink_user', (externalId) => idp.unlinkUser(externalId)),
    describe: () => idp.describe(),
  };
  if (idp.findUsersByExternalIds) wrapped.findUsersByExternalIds = timed('find_users_by_external_ids', (ids) => idp.findUsersByExternalIds!(ids));
  if (idp.findUsersByEmails) wrapped.findUsersByEmails = timed('find_users_by_emails', (emails, types) => idp.findUsersByEmails!(emails, types));
  if (idp.createUsers) wrapped.createUsers = timed('create_users', (inputs) => idp.createUsers!(inputs));
  if (idp.linkUsers) wrapped.linkUsers = timed('link_users', (links) => idp.linkUsers!(links));
  if (idp.addProfileMembersEach) wrapped.addProfileMembersEach = timed('add_profile_members_each', (id, users) => idp.addProfileMembersEach!(id, users));
  if (idp.discover) wrapped.discover = timed('discover', () => idp.discover!());
  return wrapped;
}

/** The mailer, counting each send by kind (from its key) and outcome. */
export function instrumentMailer(mailer: Mailer, metrics: RehomeMetrics): Mailer {
  return {
    async send(message) {
      const kind = mailKindOf(message.key);
      try {
        const result = await mailer.send(message);
        metrics.mail(kind, result.status);
        return result;
      } catch (error) {
        metrics.mail(kind, 'failed');
        throw error;
      }
    },
  };
}
