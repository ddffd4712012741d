import type { RehomeConfig } from '../config/config.ts';
import { resolveImsConfig } from '../ims/ims-config.ts';
import type { StoreAdapter } from '../store/open-store.ts';
import { startServer, type RunningServer } from './http-server.ts';
import { mountedHandlers } from './mounted-handlers.ts';

/** Rehome's server from the validated config: the embedded IMS plus every mounted part (SCIM, Admin API...). */
export async function startRehomeServer(opts: { config: RehomeConfig; store: StoreAdapter; secrets: { cookieKeys: string[]; linkSecret: string }; port?: number }): Promise<RunningServer> {
  const { config, store, secrets } = opts;
  return startServer({
    host: config.server.host,
    port: opts.port ?? config.server.port,
    store,
    config: (url) => resolveImsConfig({
      baseUrl: config.server.publicUrl ?? url,
      allowInsecureHttp: true, // resolveImsConfig only accepts http on loopback; config.ts refuses it elsewhere without the loud flag
      cookieKeys: secrets.cookieKeys,
      linkSecret: secrets.linkSecret,
      brandText: config.ims.brandText,
      productName: config.ims.productName,
      devOutbox: config.ims.devOutbox,
      smtp: config.mail.smtpHost
        ? { host: config.mail.smtpHost, port: config.mail.smtpPort, secure: config.mail.smtpSecure, ...(config.mail.smtpUser ? { user: config.mail.smtpUser } : {}), ...(config.mail.smtpPassword ? { password: config.mail.smtpPassword } : {}), from: config.mail.from }
        : null,
    }),
    handlers: mountedHandlers(store),
  });
}
