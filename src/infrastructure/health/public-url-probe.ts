import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { request } from 'undici';
import { Env } from '@/config/env';

export const PROBE_HEADER = 'x-boot-probe';

/** Where the sandbox gateway posts its notifications (SandboxProvider uses the same rule). */
export function sandboxNotifyUrl(env: Env): string {
  return env.SANDBOX_NOTIFY_URL || `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/api/v1/payments/notify/sandbox`;
}

/**
 * After listen: does the sandbox's webhook URL reach this very process? One GET (to PUBLIC_BASE_URL/health,
 * or to SANDBOX_NOTIFY_URL when that is set) carrying a nonce made for this boot; the server's own request
 * listener sees the nonce only if the request arrived here. Returns the warning to log, or null when it did.
 * When it does not, every sandbox payment waits for the recovery job instead of its notification.
 */
export async function probePublicUrl(server: Server, env: Env, timeoutMs = 3000): Promise<string | null> {
  const nonce = randomBytes(16).toString('hex');
  let reached = false;
  const onRequest = (req: IncomingMessage) => {
    if (req.headers[PROBE_HEADER] === nonce) {
      reached = true;
    }
  };
  server.prependListener('request', onRequest);
  const target = env.SANDBOX_NOTIFY_URL || `${env.PUBLIC_BASE_URL.replace(/\/$/, '')}/health`;
  let answer: string;
  try {
    const res = await request(target, {
      method: 'GET',
      headers: { [PROBE_HEADER]: nonce },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    answer = `answered ${res.statusCode}, but not from this process`;
  } catch (e) {
    answer = (e as Error).message || String(e);
  } finally {
    server.off('request', onRequest);
  }
  if (reached) {
    return null;
  }
  return (
    `the sandbox's webhook ${sandboxNotifyUrl(env)} does not reach this process (GET ${target}: ${answer}); ` +
    `sandbox payments will wait ${env.PAYMENT_RECOVERY_AFTER_SECONDS} s for the recovery job. ` +
    `Set ${env.SANDBOX_NOTIFY_URL ? 'SANDBOX_NOTIFY_URL' : 'PUBLIC_BASE_URL'} to where this process is reached ` +
    `(it listens on port ${env.PORT}), or leave it empty`
  );
}
