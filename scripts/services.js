#!/usr/bin/env node
'use strict';
/*
 * Make sure MySQL/MariaDB, Redis and an MQTT broker answer at the configured URLs.
 *
 *   node scripts/services.js          ensure (start what is down, local hosts only)
 *   node scripts/services.js stop     stop what this script started under .data/
 *
 * Node built-ins only: this runs before the build, possibly before `npm ci`.
 * Services are started from local binaries with private data under <repo>/.data/<service>-<port>/,
 * else with `docker compose -f docker/docker-compose.yml up -d <service>` when a Docker engine answers.
 */
const fs = require('node:fs');
const net = require('node:net');
const tls = require('node:tls');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');

const REPO_ROOT = path.resolve(__dirname, '..');
const DEFAULTS = {
  DATABASE_URL: 'mysql://root@127.0.0.1:3306/consumption_support',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  MQTT_URL: 'mqtt://127.0.0.1:1883',
};
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
const SBIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/local/mysql/bin', '/usr/bin', '/usr/local/bin'];
const PROBE_TIMEOUT_MS = 1000;
const START_TIMEOUT_MS = 60000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------- configuration

/** Parse a .env file by hand: KEY=VALUE lines, optional `export `, quotes, # comments. */
function parseDotEnv(text) {
  const out = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2];
    const q = value[0];
    if ((q === '"' || q === "'") && value.indexOf(q, 1) > 0) {
      value = value.slice(1, value.indexOf(q, 1));
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    } else {
      value = value.replace(/\s+#.*$/, '').trim();
    }
    out[m[1]] = value;
  }
  return out;
}

function loadEnv(repoRoot) {
  let fileVars = {};
  try {
    fileVars = parseDotEnv(fs.readFileSync(path.join(repoRoot, '.env'), 'utf8'));
  } catch {
    /* no .env */
  }
  return { ...DEFAULTS, ...fileVars, ...pickDefined(process.env) };
}

function pickDefined(env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function parseServiceUrl(kind, raw) {
  let u;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${kind}: invalid URL ${redactRaw(raw)}`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const scheme = u.protocol.replace(/:$/, '');
  const defaults = {
    mysql: 3306,
    redis: scheme === 'rediss' ? 6380 : 6379,
    mqtt: scheme === 'mqtts' ? 8883 : 1883,
  };
  const port = u.port ? Number(u.port) : defaults[kind];
  return {
    kind,
    scheme,
    host,
    port,
    tls: scheme === 'rediss' || scheme === 'mqtts',
    user: decodeURIComponent(u.username || ''),
    password: decodeURIComponent(u.password || ''),
    database: kind === 'mysql' ? decodeURIComponent(u.pathname.replace(/^\//, '')) : '',
    display: redact(u),
  };
}

/** URL without the password (never print secrets). */
function redact(u) {
  const c = new URL(u.href);
  if (c.password) c.password = '***';
  return c.href.replace(/\/$/, '');
}
function redactRaw(raw) {
  return String(raw).replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

function hostPort(t) {
  return `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

/** Address a locally started server listens on: the URL's loopback address (127.0.0.1 for "localhost"). */
function bindAddress(t) {
  return t.host === '::1' || /^127\./.test(t.host) ? t.host : '127.0.0.1';
}

function isLocalHost(host) {
  return LOCAL_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

// ---------------------------------------------------------------- protocol probes

/**
 * Open a socket, optionally send `hello`, wait for bytes accepted by `check(buf)`.
 * Resolves 'ok' (protocol answered), 'down' (refused / unresolvable / unreachable) or
 * 'other' (something accepted the connection but did not answer as expected).
 */
function probeSocket({ host, port, tls: useTls, timeoutMs = PROBE_TIMEOUT_MS }, hello, check, bye) {
  return new Promise((resolve) => {
    let connected = false;
    let buf = Buffer.alloc(0);
    let done = false;
    const opts = {
      host,
      port,
      ...(useTls ? { servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false } : {}),
    };
    const sock = useTls ? tls.connect(opts) : net.connect(opts);
    const finish = (result) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        if (result === 'ok' && bye) sock.end(bye);
        else sock.end();
      } catch {
        /* ignore */
      }
      setTimeout(() => sock.destroy(), 50).unref();
      resolve(result);
    };
    const timer = setTimeout(() => finish(connected ? 'other' : 'down'), timeoutMs);
    sock.on(useTls ? 'secureConnect' : 'connect', () => {
      connected = true;
      if (hello) sock.write(hello);
    });
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const r = check(buf);
      if (r !== undefined) finish(r ? 'ok' : 'other');
    });
    sock.on('error', () => finish(connected ? 'other' : 'down'));
    sock.on('close', () => finish(connected ? 'other' : 'down'));
  });
}

/** MySQL: the server speaks first; greeting payload starts with protocol version 10 (0xff = error packet, still a MySQL server). */
function probeMysql(target) {
  return probeSocket(target, null, (buf) => (buf.length < 5 ? undefined : buf[4] === 10 || buf[4] === 0xff));
}

/** Redis: PING -> +PONG (or -NOAUTH when a password is required). */
function probeRedis(target) {
  return probeSocket(target, 'PING\r\n', (buf) => {
    const s = buf.toString('latin1');
    if (!s.includes('\r\n')) return undefined;
    return s.startsWith('+PONG') || s.startsWith('-NOAUTH');
  });
}

/** MQTT 3.1.1 CONNECT (clean session, random client id) -> CONNACK (0x20), then DISCONNECT. */
function mqttConnectPacket() {
  const clientId = Buffer.from(`svc-probe-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x0a]);
  const payload = Buffer.concat([Buffer.from([clientId.length >> 8, clientId.length & 0xff]), clientId]);
  const remaining = variable.length + payload.length; // < 128: one length byte
  return Buffer.concat([Buffer.from([0x10, remaining]), variable, payload]);
}
function probeMqtt(target) {
  return probeSocket(
    target,
    mqttConnectPacket(),
    (buf) => (buf.length < 1 ? undefined : buf[0] === 0x20),
    Buffer.from([0xe0, 0x00]),
  );
}

const PROBES = { mysql: probeMysql, redis: probeRedis, mqtt: probeMqtt };

/** probe('mysql'|'redis'|'mqtt', host, port, timeoutMs?) -> 'ok' | 'down' | 'other' */
function probe(kind, host, port, timeoutMs = PROBE_TIMEOUT_MS, useTls = false) {
  const fn = PROBES[kind];
  if (!fn) throw new Error(`unknown service kind ${kind}`);
  return fn({ host, port, tls: useTls, timeoutMs });
}

// ---------------------------------------------------------------- tiny MySQL client (create database)

class MiniMysql {
  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    this.error = null;
    sock.on('data', (c) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.pump();
    });
    const fail = (e) => {
      this.error = this.error || e || new Error('connection closed');
      this.pump();
    };
    sock.on('error', fail);
    sock.on('close', () => fail(null));
  }
  static connect(host, port, timeoutMs) {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      const t = setTimeout(() => {
        sock.destroy();
        reject(new Error('connect timeout'));
      }, timeoutMs);
      sock.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      sock.once('connect', () => {
        clearTimeout(t);
        sock.setTimeout(timeoutMs, () => sock.destroy(new Error('timeout')));
        resolve(new MiniMysql(sock));
      });
    });
  }
  pump() {
    while (this.waiters.length) {
      if (this.buf.length >= 4) {
        const len = this.buf.readUIntLE(0, 3);
        if (this.buf.length >= len + 4) {
          const seq = this.buf[3];
          const payload = this.buf.subarray(4, 4 + len);
          this.buf = this.buf.subarray(4 + len);
          this.waiters.shift().resolve({ seq, payload });
          continue;
        }
      }
      if (this.error) {
        this.waiters.shift().reject(this.error);
        continue;
      }
      break;
    }
  }
  read() {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }
  write(seq, payload) {
    const head = Buffer.alloc(4);
    head.writeUIntLE(payload.length, 0, 3);
    head[3] = seq & 0xff;
    this.sock.write(Buffer.concat([head, payload]));
  }
  close() {
    try {
      this.write(0, Buffer.from([0x01]));
      this.sock.end();
    } catch {
      /* ignore */
    }
    setTimeout(() => this.sock.destroy(), 50).unref();
  }
}

function mysqlErr(payload) {
  const code = payload.readUInt16LE(1);
  const msg = payload.subarray(payload[3] === 0x23 ? 9 : 3).toString('utf8');
  const e = new Error(`${msg} (${code})`);
  e.code = code;
  return e;
}

function scramble(plugin, password, nonce) {
  if (!password) return Buffer.alloc(0);
  const pw = Buffer.from(password, 'utf8');
  const h = (alg, ...parts) => crypto.createHash(alg).update(Buffer.concat(parts)).digest();
  const xor = (a, b) => Buffer.from(a.map((x, i) => x ^ b[i]));
  if (plugin === 'caching_sha2_password') {
    const p1 = h('sha256', pw);
    return xor(p1, h('sha256', h('sha256', p1), nonce));
  }
  const p1 = h('sha1', pw); // mysql_native_password
  return xor(p1, h('sha1', nonce, h('sha1', p1)));
}

async function mysqlSession(host, port, user, password, timeoutMs = 5000) {
  const c = await MiniMysql.connect(host, port, timeoutMs);
  try {
    const { payload: g } = await c.read();
    if (g[0] === 0xff) throw mysqlErr(g);
    if (g[0] !== 10) throw new Error('not a MySQL server');
    let p = g.indexOf(0, 1) + 1 + 4; // server version, connection id
    const nonce1 = g.subarray(p, p + 8);
    p += 8 + 1;
    const capLow = g.readUInt16LE(p);
    p += 2 + 1 + 2;
    const capHigh = g.readUInt16LE(p);
    p += 2;
    const authLen = g[p];
    p += 1 + 10;
    const n2len = Math.max(13, authLen - 8);
    const nonce2 = g.subarray(p, p + n2len - 1);
    p += n2len;
    const serverCaps = capLow | (capHigh << 16);
    let plugin =
      g.subarray(p, g.indexOf(0, p) < 0 ? g.length : g.indexOf(0, p)).toString() || 'mysql_native_password';
    let nonce = Buffer.concat([nonce1, nonce2]);
    const caps = 0x1 | 0x200 | 0x2000 | 0x8000 | (serverCaps & 0x80000); // LONG_PASSWORD PROTOCOL_41 TRANSACTIONS SECURE_CONNECTION PLUGIN_AUTH
    const auth = scramble(plugin, password, nonce);
    const head = Buffer.alloc(32);
    head.writeUInt32LE(caps >>> 0, 0);
    head.writeUInt32LE(16 * 1024 * 1024, 4);
    head[8] = 45; // utf8mb4_general_ci
    const parts = [head, Buffer.from(user + '\0'), Buffer.from([auth.length]), auth];
    if (caps & 0x80000) parts.push(Buffer.from(plugin + '\0'));
    let seq = 1;
    c.write(seq, Buffer.concat(parts));
    for (;;) {
      const r = await c.read();
      seq = r.seq + 1;
      const b = r.payload;
      if (b[0] === 0x00) break;
      if (b[0] === 0xff) throw mysqlErr(b);
      if (b[0] === 0xfe) {
        // auth switch
        const end = b.indexOf(0, 1);
        plugin = b.subarray(1, end).toString();
        nonce = b.subarray(end + 1).subarray(0, 20);
        c.write(seq, scramble(plugin, password, nonce));
      } else if (b[0] === 0x01 && b[1] === 0x03) {
        continue; // caching_sha2 fast auth ok, OK packet follows
      } else if (b[0] === 0x01 && b[1] === 0x04) {
        c.write(seq, Buffer.from([0x02])); // full auth: ask for the RSA public key
      } else if (b[0] === 0x01 && b.length > 2) {
        const key = b.subarray(1).toString();
        const pw = Buffer.from(password + '\0');
        const x = Buffer.from(pw.map((v, i) => v ^ nonce[i % nonce.length]));
        c.write(seq, crypto.publicEncrypt({ key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING }, x));
      } else {
        throw new Error('unsupported authentication exchange');
      }
    }
    return {
      async query(sql) {
        c.write(0, Buffer.concat([Buffer.from([0x03]), Buffer.from(sql, 'utf8')]));
        const { payload } = await c.read();
        if (payload[0] === 0xff) throw mysqlErr(payload);
        if (payload[0] !== 0x00) {
          // result set: drain until EOF/OK after rows (not needed for DDL; keep simple)
          for (let eofs = 0; eofs < 2;) {
            const { payload: p2 } = await c.read();
            if (p2[0] === 0xff) throw mysqlErr(p2);
            if (p2[0] === 0xfe && p2.length < 9) eofs++;
          }
        }
      },
      close: () => c.close(),
    };
  } catch (e) {
    c.close();
    throw e;
  }
}

const sqlId = (s) => '`' + String(s).replace(/`/g, '``') + '`';
const sqlStr = (s) => "'" + String(s).replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";

/** Create the URL's database (and, on a server we initialised, its non-root user). Returns a note or ''. */
async function prepareDatabase(t, freshlyInitialised) {
  if (!t.database) return '';
  const notes = [];
  if (freshlyInitialised && t.user && t.user !== 'root') {
    const s = await mysqlSession(t.host, t.port, 'root', '');
    try {
      for (const h of ['localhost', '%']) {
        await s.query(
          `CREATE USER IF NOT EXISTS ${sqlStr(t.user)}@${sqlStr(h)} IDENTIFIED BY ${sqlStr(t.password)}`,
        );
        await s.query(`GRANT ALL PRIVILEGES ON *.* TO ${sqlStr(t.user)}@${sqlStr(h)}`);
      }
      notes.push(`user ${t.user} created`);
    } finally {
      s.close();
    }
  }
  const s = await mysqlSession(t.host, t.port, t.user || 'root', t.password);
  try {
    await s.query(
      `CREATE DATABASE IF NOT EXISTS ${sqlId(t.database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    s.close();
  }
  notes.push(`database ${t.database} ready`);
  return notes.join(', ');
}

// ---------------------------------------------------------------- binaries

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function findBinary(names, extraDirs = []) {
  const dirs = [
    ...(process.env.PATH || '').split(path.delimiter).filter(Boolean),
    ...extraDirs,
    ...SBIN_DIRS,
  ];
  for (const name of names) {
    for (const d of dirs) {
      const p = path.join(d, name);
      if (isExecutable(p)) return p;
    }
  }
  return null;
}

let composeCmd;
/** [cmd, ...args] for Docker Compose when a Docker engine answers (`docker info`), else null. */
function dockerCompose() {
  if (composeCmd === undefined) {
    composeCmd = null;
    const docker = findBinary(['docker']);
    const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore', timeout: 8000 }).status === 0;
    if (docker && ok(docker, ['info'])) {
      const legacy = findBinary(['docker-compose']);
      if (ok(docker, ['compose', 'version'])) composeCmd = [docker, 'compose'];
      else if (legacy) composeCmd = [legacy];
    }
  }
  return composeCmd;
}

function tail(file, lines = 8) {
  try {
    const text = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function displayPath(p) {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

function socketPath(folder, name) {
  const p = path.join(folder, name);
  if (Buffer.byteLength(p) < 100) return p;
  const h = crypto.createHash('sha1').update(folder).digest('hex').slice(0, 12);
  return path.join(require('node:os').tmpdir(), `svc-${h}-${name}`);
}

// ---------------------------------------------------------------- starters (local binaries)

const INSTALL_HINT = {
  mysql: 'install mariadb-server (apt-get install mariadb-server)',
  redis: 'install redis-server (apt-get install redis-server)',
  mqtt: 'install mosquitto (apt-get install mosquitto)',
};
const LABEL = { mysql: 'MySQL', redis: 'Redis', mqtt: 'MQTT' };
const FOLDER = { mysql: 'mysql', redis: 'redis', mqtt: 'mosquitto' };
const COMPOSE_SERVICE = { mysql: 'mysql', redis: 'redis', mqtt: 'mosquitto' };

/** Returns a starter for the local binary, or null if the binary is missing. */
function localStarter(t, dataRoot) {
  const folder = path.join(dataRoot, `${FOLDER[t.kind]}-${t.port}`);
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (t.kind === 'mysql') {
    const bin = findBinary(['mariadbd', 'mysqld']);
    if (!bin) return null;
    const v = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 10000 });
    const mariadb = path.basename(bin) === 'mariadbd' || /mariadb/i.test(`${v.stdout}${v.stderr}`);
    const installDb = mariadb
      ? findBinary(['mariadb-install-db', 'mysql_install_db'], [path.dirname(bin)])
      : bin;
    if (!installDb) return null;
    return {
      bin,
      folder,
      start() {
        const datadir = path.join(folder, 'data');
        let fresh = false;
        fs.mkdirSync(folder, { recursive: true });
        if (!fs.existsSync(path.join(datadir, 'mysql'))) {
          fs.rmSync(datadir, { recursive: true, force: true });
          const initLog = path.join(folder, 'init.log');
          const args = mariadb
            ? [
                '--no-defaults',
                `--datadir=${datadir}`,
                '--auth-root-authentication-method=normal',
                '--skip-test-db',
                ...(asRoot ? ['--user=root'] : []),
              ]
            : [
                '--no-defaults',
                '--initialize-insecure',
                `--datadir=${datadir}`,
                ...(asRoot ? ['--user=root'] : []),
              ];
          const fd = fs.openSync(initLog, 'w');
          const r = spawnSync(installDb, args, { stdio: ['ignore', fd, fd], timeout: 180000 });
          fs.closeSync(fd);
          if (r.status !== 0) {
            fs.rmSync(datadir, { recursive: true, force: true });
            throw new Error(
              `mysql: initialising ${displayPath(datadir)} failed (see ${initLog}):\n${tail(initLog)}`,
            );
          }
          fresh = true;
        }
        const log = path.join(folder, 'mysqld.log');
        const args = [
          '--no-defaults',
          `--datadir=${datadir}`,
          `--port=${t.port}`,
          `--bind-address=${bindAddress(t)}`,
          `--socket=${socketPath(folder, 'mysqld.sock')}`,
          `--pid-file=${path.join(folder, 'mysqld.pid')}`,
          ...(asRoot ? ['--user=root'] : []),
          '--character-set-server=utf8mb4',
          '--collation-server=utf8mb4_unicode_ci',
          ...(mariadb ? [] : ['--mysqlx=OFF']),
        ];
        const fd = fs.openSync(log, 'a');
        const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd] });
        fs.closeSync(fd);
        const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
        child.on('error', () => {});
        child.unref();
        return { log, exited, fresh };
      },
    };
  }
  if (t.kind === 'redis') {
    const bin = findBinary(['redis-server']);
    if (!bin) return null;
    return {
      bin,
      folder,
      start() {
        fs.mkdirSync(folder, { recursive: true });
        const log = path.join(folder, 'redis.log');
        const args = [
          '--port',
          String(t.port),
          '--bind',
          bindAddress(t),
          '--dir',
          folder,
          '--daemonize',
          'yes',
          '--save',
          '',
          '--appendonly',
          'no',
          '--logfile',
          log,
          '--pidfile',
          path.join(folder, 'redis.pid'),
          ...(t.password ? ['--requirepass', t.password] : []),
        ];
        return { log, ...runDaemonizing(bin, args, folder, log) };
      },
    };
  }
  const bin = findBinary(['mosquitto']);
  if (!bin) return null;
  return {
    bin,
    folder,
    start() {
      fs.mkdirSync(folder, { recursive: true });
      const log = path.join(folder, 'mosquitto.log');
      const conf = path.join(folder, 'mosquitto.conf');
      fs.writeFileSync(
        conf,
        [
          `listener ${t.port} ${bindAddress(t)}`,
          'allow_anonymous true',
          'persistence false',
          `log_dest file ${log}`,
          `pid_file ${path.join(folder, 'mosquitto.pid')}`,
          ...(asRoot ? ['user root'] : []),
          '',
        ].join('\n'),
      );
      return { log, ...runDaemonizing(bin, ['-d', '-c', conf], folder, log) };
    },
  };
}

/** Run a self-daemonizing server (redis --daemonize / mosquitto -d); a non-zero exit is a failure. */
function runDaemonizing(bin, args, folder, log) {
  const startLog = path.join(folder, 'start.log');
  const fd = fs.openSync(startLog, 'w');
  const r = spawnSync(bin, args, { stdio: ['ignore', fd, fd], timeout: 30000 });
  fs.closeSync(fd);
  const out = tail(startLog);
  if (r.status !== 0) {
    throw new Error(`${path.basename(bin)} failed to start (exit ${r.status}):\n${out || tail(log)}`);
  }
  return { exited: new Promise(() => {}) };
}

function dockerComposeUp(targets, repoRoot) {
  const file = path.join(repoRoot, 'docker', 'docker-compose.yml');
  const env = { ...process.env };
  for (const t of targets) {
    if (t.kind === 'mysql') {
      env.MYSQL_PORT = String(t.port);
      if (t.database) env.MYSQL_DATABASE = t.database;
      if (t.user && t.user !== 'root') {
        env.MYSQL_USER = t.user;
        env.MYSQL_PASSWORD = t.password;
      } else if (t.password) {
        env.MYSQL_ROOT_PASSWORD = t.password;
      }
    }
    if (t.kind === 'redis') env.REDIS_PORT = String(t.port);
    if (t.kind === 'mqtt') env.MQTT_PORT = String(t.port);
  }
  const services = targets.map((t) => COMPOSE_SERVICE[t.kind]);
  const [cmd, ...pre] = dockerCompose();
  const r = spawnSync(cmd, [...pre, '-f', file, 'up', '-d', ...services], {
    env,
    encoding: 'utf8',
    timeout: 600000,
  });
  if (r.status !== 0) {
    const msg = `${r.stderr || ''}${r.stdout || ''}`.trim().split('\n').slice(-6).join('\n');
    throw new Error(`docker compose up -d ${services.join(' ')} failed:\n${msg}`);
  }
}

async function waitForAnswer(t, timeoutMs, exited) {
  const deadline = Date.now() + timeoutMs;
  let exitCode;
  if (exited) exited.then((c) => (exitCode = c === null ? 'signal' : c));
  for (;;) {
    if ((await PROBES[t.kind]({ ...t, timeoutMs: PROBE_TIMEOUT_MS })) === 'ok') return;
    if (exitCode !== undefined) throw new Error(`exited (${exitCode}) before answering`);
    if (Date.now() > deadline) throw new Error(`not answering after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(250);
  }
}

// ---------------------------------------------------------------- public API

/**
 * @param {{databaseUrl?: string, redisUrl?: string, mqttUrl?: string, dataDir?: string,
 *          log?: (line: string) => void, startTimeoutMs?: number, createDatabase?: boolean}} [opts]
 */
async function ensureServices(opts = {}) {
  const log = opts.log || ((line) => console.error(line));
  const env = loadEnv(REPO_ROOT);
  const dataRoot = path.resolve(opts.dataDir || path.join(REPO_ROOT, '.data'));
  const startTimeoutMs = opts.startTimeoutMs || START_TIMEOUT_MS;
  const targets = [
    parseServiceUrl('mysql', opts.databaseUrl || env.DATABASE_URL),
    parseServiceUrl('redis', opts.redisUrl || env.REDIS_URL),
    parseServiceUrl('mqtt', opts.mqttUrl || env.MQTT_URL),
  ];

  const states = await Promise.all(targets.map((t) => PROBES[t.kind](t)));
  const problems = [];
  const plan = []; // {t, starter} | {t, docker: true}
  targets.forEach((t, i) => {
    const where = `${hostPort(t)}`;
    if (states[i] === 'ok') return;
    if (states[i] === 'other') {
      problems.push(
        `${LABEL[t.kind]}: something at ${t.display} accepts connections but does not answer as ${LABEL[t.kind]}`,
      );
    } else if (!isLocalHost(t.host)) {
      problems.push(
        `${LABEL[t.kind]} is not answering at ${t.display} (${where} is not local, so it cannot be started here)`,
      );
    } else {
      const starter = localStarter(t, dataRoot);
      if (starter) plan.push({ t, starter });
      else if (dockerCompose()) plan.push({ t, docker: true });
      else {
        const what = {
          mysql: 'mariadbd/mysqld (and mariadb-install-db)',
          redis: 'redis-server',
          mqtt: 'mosquitto',
        }[t.kind];
        problems.push(
          `${LABEL[t.kind]} is not answering at ${where} and neither ${what} nor a Docker engine is available: ${INSTALL_HINT[t.kind]} or Docker`,
        );
      }
    }
  });
  if (problems.length) throw new Error(problems.join('\n'));

  const results = {};
  const lines = {};
  targets.forEach((t, i) => {
    if (states[i] === 'ok') {
      results[t.kind] = { url: t.display, host: t.host, port: t.port, status: 'answering' };
      lines[t.kind] = `${t.kind}: answering at ${hostPort(t)}`;
    }
  });

  const dockerTargets = plan.filter((p) => p.docker).map((p) => p.t);
  if (dockerTargets.length) dockerComposeUp(dockerTargets, REPO_ROOT);

  const started = plan.map((p) => {
    if (p.docker) return { ...p, run: { exited: null, fresh: false } };
    return { ...p, run: p.starter.start() };
  });
  const failures = [];
  await Promise.all(
    started.map(async ({ t, starter, run }) => {
      try {
        await waitForAnswer(t, startTimeoutMs, run.exited);
      } catch (e) {
        const logTail = run.log ? tail(run.log) : '';
        failures.push(
          `${t.kind}: started on ${hostPort(t)} but ${e.message}${logTail ? `; log ${run.log}:\n${logTail}` : ''}`,
        );
        return;
      }
      results[t.kind] = {
        url: t.display,
        host: t.host,
        port: t.port,
        status: 'started',
        via: starter ? starter.bin : 'docker compose',
        ...(starter ? { dataDir: starter.folder } : {}),
      };
      t.fresh = run.fresh;
      lines[t.kind] = starter
        ? `${t.kind}: started from ${starter.bin} on ${hostPort(t)} (data in ${displayPath(starter.folder)})`
        : `${t.kind}: started with docker compose on ${hostPort(t)}`;
    }),
  );
  if (failures.length) throw new Error(failures.join('\n'));

  const mysqlT = targets[0];
  if (opts.createDatabase !== false && isLocalHost(mysqlT.host) && mysqlT.database) {
    try {
      const note = await prepareDatabase(mysqlT, !!mysqlT.fresh);
      if (note) lines.mysql += ` (${note})`;
    } catch (e) {
      lines.mysql += ` (could not create database ${mysqlT.database}: ${e.message})`;
    }
  }
  for (const t of targets) log(lines[t.kind]);
  return results;
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return e.code === 'EPERM';
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

function looksLikeOurServer(pid) {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /mariadbd|mysqld|redis-server|mosquitto/.test(cmd);
  } catch {
    return !fs.existsSync('/proc/self'); // no /proc: trust the pid file
  }
}

/** Stop the servers started by ensureServices (pid files under <dataDir>/<service>-<port>/). */
async function stopServices(dataDirRoot) {
  const root = path.resolve(dataDirRoot || path.join(REPO_ROOT, '.data'));
  let entries = [];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const victims = [];
  for (const e of entries) {
    if (!e.isDirectory() || !/^(mysql|redis|mosquitto)-\d+$/.test(e.name)) continue;
    const folder = path.join(root, e.name);
    for (const f of fs.readdirSync(folder)) {
      if (!f.endsWith('.pid')) continue;
      const pidFile = path.join(folder, f);
      const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 1 || !processAlive(pid) || !looksLikeOurServer(pid)) {
        fs.rmSync(pidFile, { force: true });
        continue;
      }
      try {
        process.kill(pid, 'SIGTERM');
        victims.push({ service: e.name, pid, pidFile });
      } catch {
        /* already gone */
      }
    }
  }
  const deadline = Date.now() + 30000;
  while (victims.some((v) => processAlive(v.pid)) && Date.now() < deadline) await sleep(100);
  for (const v of victims) {
    if (processAlive(v.pid)) {
      try {
        process.kill(v.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(v.pidFile, { force: true });
  }
  const killDeadline = Date.now() + 5000;
  while (victims.some((v) => processAlive(v.pid)) && Date.now() < killDeadline) await sleep(100);
  return victims.map(({ service, pid }) => ({ service, pid }));
}

module.exports = { ensureServices, stopServices, probe, parseDotEnv, isLocalHost };

if (require.main === module) {
  const cmd = process.argv[2] || 'ensure';
  const run =
    cmd === 'stop'
      ? stopServices(process.argv[3]).then((s) =>
          console.error(s.length ? `stopped ${s.map((x) => x.service).join(', ')}` : 'nothing to stop'),
        )
      : cmd === 'ensure'
        ? ensureServices()
        : Promise.reject(new Error(`usage: node scripts/services.js [ensure|stop [dataDir]]`));
  run.then(
    () => process.exit(0),
    (e) => {
      console.error(e && e.message ? e.message : String(e));
      process.exit(1);
    },
  );
}
