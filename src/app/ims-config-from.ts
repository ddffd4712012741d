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
    requestLimits: { perAddress: config.ims.requestLimitPerAddress, perClient: config.ims.requestLimitPerClient, windowSeconds: config.ims.requestLimitWindowSeconds },
    caseFoldLocalPart: config.matching.caseFoldLocalPart,
    clients,
    smtp: smtpOf(config),
  });
}

/** The SMTP server of `mail.*`, or null for the outbox alone (no secrets needed to know it). */
export function smtpOf(config: RehomeConfig): ImsConfig['smtp'] {
  const m = config.mail;
  return m.smtpHost
    ? { host: m.smtpHost, port: m.smtpPort, secure: m.smtpSecure, ...(m.smtpUser ? { user: m.smtpUser } : {}), ...(m.smtpPassword ? { password: m.smtpPassword } : {}), from: m.from }
    : null;
}
