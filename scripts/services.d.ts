/** Types for scripts/services.js (plain Node.js, built-ins only). */

export type ServiceKind = 'mysql' | 'redis' | 'mqtt';

export interface EnsureServicesOptions {
  /** Default: env DATABASE_URL (after loading <repo>/.env), else mysql://root@127.0.0.1:3306/consumption_support */
  databaseUrl?: string;
  /** Default: env REDIS_URL, else redis://127.0.0.1:6379/0 */
  redisUrl?: string;
  /** Default: env MQTT_URL, else mqtt://127.0.0.1:1883 */
  mqttUrl?: string;
  /** Root of the private data folders (<dataDir>/<mysql|redis|mosquitto>-<port>/). Default: <repo>/.data */
  dataDir?: string;
  /** One short line per service. Default: console.error */
  log?: (line: string) => void;
  /** How long to wait for a started service to answer. Default: 60000 */
  startTimeoutMs?: number;
  /** Create the URL's database (utf8mb4) on a local MySQL. Default: true */
  createDatabase?: boolean;
}

export interface ServiceResult {
  /** URL with the password masked */
  url: string;
  host: string;
  port: number;
  status: 'answering' | 'started';
  /** Binary path or 'docker compose' (status 'started' only) */
  via?: string;
  /** Private data folder (started from a local binary only) */
  dataDir?: string;
}

export type EnsureServicesResult = Partial<Record<ServiceKind, ServiceResult>>;

/** Checks MySQL, Redis and MQTT answer; starts the local ones that do not. Rejects with one Error listing every problem. */
export function ensureServices(opts?: EnsureServicesOptions): Promise<EnsureServicesResult>;

/** SIGTERMs the servers whose pid files are under <dataDirRoot>/<service>-<port>/ and waits until they are gone. */
export function stopServices(dataDirRoot?: string): Promise<Array<{ service: string; pid: number }>>;

/** Protocol-level check: 'ok' answered, 'down' nothing listening/unresolvable, 'other' connected but wrong answer. */
export function probe(
  kind: ServiceKind,
  host: string,
  port: number,
  timeoutMs?: number,
  tls?: boolean,
): Promise<'ok' | 'down' | 'other'>;

export function parseDotEnv(text: string): Record<string, string>;

export function isLocalHost(host: string): boolean;
