import { defineJobs, QueueName } from '@/infrastructure/queue/jobs';

/** The kiosk's jobs (handlers in kiosk.jobs.ts): the timers that keep a session from ever hanging. */
export const KioskJobName = {
  /** At the unlock's expiry: a door that never opened cancels the session. */
  UnlockTimeout: 'kiosk.unlock-timeout',
  /** Two minutes after the door opened: still open raises an alert. */
  DoorAlert: 'kiosk.door-alert',
  /** Ten minutes after the door opened: no DOOR_CLOSED sends the session to review. */
  SessionLost: 'kiosk.session-lost',
  /** Every minute: sessions a lost timer left behind are ended, unfinished sales charged and receipted. */
  Watchdog: 'kiosk.watchdog',
  /** Cabinets silent for 90 s become OFFLINE. */
  OfflineSweep: 'kiosk.offline-sweep',
} as const;

declare module '@/infrastructure/queue/jobs' {
  interface JobPayloads {
    [KioskJobName.UnlockTimeout]: { sessionId: string };
    [KioskJobName.DoorAlert]: { sessionId: string };
    [KioskJobName.SessionLost]: { sessionId: string };
    [KioskJobName.OfflineSweep]: Record<string, never>;
    [KioskJobName.Watchdog]: Record<string, never>;
  }
}

defineJobs({
  [KioskJobName.UnlockTimeout]: { queue: QueueName.Maintenance },
  [KioskJobName.DoorAlert]: { queue: QueueName.Maintenance },
  [KioskJobName.SessionLost]: { queue: QueueName.Maintenance },
  [KioskJobName.OfflineSweep]: { queue: QueueName.Maintenance },
  [KioskJobName.Watchdog]: { queue: QueueName.Maintenance },
});
