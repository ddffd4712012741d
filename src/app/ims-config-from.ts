import type { RehomeConfig } from '../config/config.ts';
import { resolveImsConfig, type ImsClientConfig, type ImsConfig } from '../ims/ims-config.ts';

export interface ServerSecrets {
  cookieKeys: string[];
  linkSecret: string;
}

/** The embedded IMS's settings from Rehome's one config object (server, CLI runs that mail links, tests). */
export function imsConfigFrom(config: RehomeConfig, secrets: ServerSecrets, baseUrl: string, clients: ImsClientConfig[] = []): ImsConfig {
  return resolveImsConfig({
    baseUrl: config.server.publicUrl ?? baseUrl,
    allowInsecureHttp: true, // resolveImsConfig accepts http only on loopback; config.ts refuses it elsewhere without the loud flag
    cookieKeys: secrets.cookieKeys,
    linkSecret: secrets.linkSecret,
    brandText: config.ims.brandText,
    productName: config.ims.productName,
    devOutbox: config.ims.devOutbox,
    clients,
    smtp: config.mail.smtpHost
      ? { host: config.mail.smtpHost, port: config.mail.smtpPort, secure: config.mail.smtpSecure, ...(config.mail.smtpUser ? { user: config.mail.smtpUser } : {}), ...(config.mail.smtpPassword ? { password: config.mail.smtpPassword } : {}), from: config.mail.from }
      : null,
  });
}
