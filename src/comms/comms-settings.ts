import type { RehomeConfig } from '../config/config.ts';
import { DEFAULT_COMMS_SCHEDULE, type CommsSchedule } from '../core/comms/plan-comms.ts';
import { CommsError } from './comms-error.ts';

/** What the communication plan needs from the one config object (docs/configuration.md, `comms.*`). */
export interface CommsSettings {
  templatesDir: string | null;
  productUrl: string | null;
  linkTtlHours: number;
  schedule: CommsSchedule;
}

export const DEFAULT_COMMS_SETTINGS: CommsSettings = Object.freeze({ templatesDir: null, productUrl: null, linkTtlHours: 72, schedule: DEFAULT_COMMS_SCHEDULE });

export function commsSettingsOf(config: Pick<RehomeConfig, 'comms'>): CommsSettings {
  const c = config.comms;
  const reminderDaysBefore = c.reminderDaysBefore.map((d) => {
    if (!/^-?\d+$/.test(d.trim())) throw new CommsError('settings_invalid', `comms.reminderDaysBefore must list whole numbers of days (got ${JSON.stringify(d)})`);
    return Number(d);
  });
  return {
    templatesDir: c.templatesDir,
    productUrl: c.productUrl,
    linkTtlHours: c.linkTtlHours,
    schedule: { ...DEFAULT_COMMS_SCHEDULE, reminderDaysBefore, noticeDaysBefore: c.noticeDaysBefore, sendHour: c.sendHour },
  };
}
