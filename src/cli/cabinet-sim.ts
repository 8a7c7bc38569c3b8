import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CabinetSimulator } from '@/modules/kiosk/device/cabinet-simulator';
import { CabinetEventType, SlotWeight } from '@/modules/kiosk/device/protocol';

/** `npm run cabinet:sim`: a smart cabinet on MQTT without hardware, driven from the terminal. */

const USAGE = `Usage: npm run cabinet:sim -- --code <code> --secret <deviceSecret> [options]

A simulated smart cabinet: heartbeats, obeys signed UNLOCK commands, reports its scales on door open/close.

Options:
  --code <code>              cabinet code (required)
  --secret <deviceSecret>    the secret POST /cabinets returned (required)
  --url <mqtt://host:port>   broker (default: $MQTT_URL or mqtt://127.0.0.1:1883)
  --slots 1:5000,2:3000      initial scale readings in grams (default: 1:5000,2:3000)
  --heartbeat-ms <ms>        heartbeat period (default: 30000)
  --customer 1:250,2:250     customer mode: on every door open take these grams, then close the door
  --dwell-ms <ms>            customer mode: how long the door stays open (default: 2000)
  --mqtt-version 4|5         MQTT protocol version (default: 5)
  --help                     this text

Commands (stdin, one per line):
  take <slotNo> <grams>      take grams off a slot's scale
  put <slotNo> <grams>       put grams on a slot's scale (a new slot is created)
  open <sessionId>           open the door for a session (as an UNLOCK would)
  close                      close the door (DOOR_CLOSED with the weights now)
  fault <reason...>          report a FAULT
  offline / online           drop the connection (no heartbeats) / come back
  weights                    print the scale readings
  help                       this list
  quit                       stop (so do Ctrl-C and SIGTERM; the end of stdin does not)`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function positiveInt(value: string, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    fail(`${what} must be a whole number, got "${value}"`);
  }
  return n;
}

/** "1:5000,2:3000" → [{slotNo: 1, grams: 5000}, …] */
function slotList(value: string, what: string): { slotNo: number; grams: number }[] {
  return value
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const [slot, grams, ...extra] = part.split(':');
      if (grams === undefined || extra.length > 0) {
        fail(`${what}: expected slotNo:grams, got "${part}"`);
      }
      const slotNo = positiveInt(slot, `${what}: slot number`);
      if (slotNo < 1) {
        fail(`${what}: slot numbers start at 1`);
      }
      return { slotNo, grams: positiveInt(grams, `${what}: grams`) };
    });
}

const fmtWeights = (slots: unknown): string =>
  Array.isArray(slots) && slots.length > 0
    ? (slots as SlotWeight[]).map((s) => `slot ${s.slotNo} ${s.weightGrams} g`).join(', ')
    : '(no slots)';

const say = (line: string): void => {
  console.log(`${new Date().toISOString().slice(11, 23)} ${line}`);
};

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        code: { type: 'string' },
        secret: { type: 'string' },
        url: { type: 'string' },
        slots: { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        customer: { type: 'string' },
        'dwell-ms': { type: 'string' },
        'mqtt-version': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    fail((e as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const code = values.code as string | undefined;
  const secret = values.secret as string | undefined;
  if (!code || !secret) {
    fail('--code and --secret are required');
  }
  const url = (values.url as string | undefined) ?? process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883';
  const slots = slotList((values.slots as string | undefined) ?? '1:5000,2:3000', '--slots').map((s) => ({
    slotNo: s.slotNo,
    weightGrams: s.grams,
  }));
  const heartbeatMs = positiveInt(
    (values['heartbeat-ms'] as string | undefined) ?? '30000',
    '--heartbeat-ms',
  );
  if (heartbeatMs < 1) {
    fail('--heartbeat-ms must be at least 1');
  }
  const dwellMs = positiveInt((values['dwell-ms'] as string | undefined) ?? '2000', '--dwell-ms');
  const customerArg = values.customer as string | undefined;
  const customer = customerArg ? { takes: slotList(customerArg, '--customer'), dwellMs } : undefined;
  const version = (values['mqtt-version'] as string | undefined) ?? '5';
  if (version !== '4' && version !== '5') {
    fail('--mqtt-version must be 4 or 5');
  }

  const warned = new Set<string>(); // a broker that is down says so once, not every second
  const sim = new CabinetSimulator({
    code,
    secret,
    url,
    slots,
    heartbeatMs,
    customer,
    protocolVersion: version === '4' ? 4 : 5,
    log: (line) => {
      if (!warned.has(line)) {
        warned.add(line);
        say(`warning: ${line}`);
      }
    },
  });

  sim.on('connected', () => {
    warned.clear();
    say(
      `connected to ${url} as cabinet ${code} (commands on kiosk/${code}/cmd, events on kiosk/${code}/evt)`,
    );
  });
  sim.on('published', (msg) => {
    switch (msg.type) {
      case CabinetEventType.Heartbeat:
        say(`heartbeat sent (${String(msg.id)})`);
        break;
      case CabinetEventType.DoorOpened:
        say(`door opened for session ${String(msg.sessionId)}: ${fmtWeights(msg.slots)}`);
        if (!customer) {
          say('  type "take <slotNo> <grams>" for what the customer takes, then "close"');
        }
        break;
      case CabinetEventType.DoorClosed:
        say(`door closed for session ${String(msg.sessionId)}: ${fmtWeights(msg.slots)}`);
        break;
      case CabinetEventType.Fault:
        say(`fault reported: ${String(msg.reason)}`);
        break;
      default:
        say(`event sent: ${JSON.stringify(msg)}`);
    }
  });
  sim.on('unlock', (msg) => {
    const left = typeof msg.exp === 'number' ? Math.round((msg.exp - Date.now()) / 1000) : '?';
    say(
      `UNLOCK received for session ${String(msg.sessionId)} (command ${String(msg.id)}, expires in ${left} s)`,
    );
  });
  sim.on('ignored', (msg, reason) => {
    const what =
      typeof msg === 'string' ? JSON.stringify(msg.slice(0, 80)) : `${String(msg.type)} ${String(msg.id)}`;
    say(`command ignored (${reason}): ${what}`);
  });

  let stopping = false;
  const shutdown = async (why: string): Promise<void> => {
    if (stopping) {
      say('stopping at once');
      process.exit(130);
    }
    stopping = true;
    say(`stopping (${why})`);
    await sim.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const handle = async (line: string): Promise<void> => {
    const [cmd, ...args] = line.trim().split(/\s+/);
    switch (cmd?.toLowerCase()) {
      case undefined:
      case '':
        return;
      case 'take':
      case 'put': {
        if (args.length !== 2 || !/^\d+$/.test(args[0]) || !/^\d+$/.test(args[1])) {
          say(`usage: ${cmd} <slotNo> <grams>`);
          return;
        }
        const [slotNo, grams] = args.map(Number);
        if (cmd.toLowerCase() === 'take') {
          sim.take(slotNo, grams);
        } else {
          sim.put(slotNo, grams);
        }
        say(`slot ${slotNo} now reads ${sim.weights.find((s) => s.slotNo === slotNo)?.weightGrams ?? 0} g`);
        return;
      }
      case 'open':
        if (args.length !== 1) {
          say('usage: open <sessionId>');
          return;
        }
        await sim.openDoor(args[0]);
        return;
      case 'close':
        await sim.closeDoor();
        return;
      case 'fault':
        if (args.length === 0) {
          say('usage: fault <reason...>');
          return;
        }
        await sim.fault(args.join(' '));
        return;
      case 'offline':
        await sim.goOffline();
        say('offline: disconnected, no heartbeats');
        return;
      case 'online':
        await sim.goOnline();
        return;
      case 'weights':
        say(`${fmtWeights(sim.weights)}; door ${sim.doorOpenFor ? `open for ${sim.doorOpenFor}` : 'closed'}`);
        return;
      case 'help':
      case '?':
        console.log(USAGE.slice(USAGE.indexOf('Commands')));
        return;
      case 'quit':
      case 'exit':
        await shutdown('quit');
        return;
      default:
        say(`unknown command "${cmd}"; type help`);
    }
  };

  // Commands run one after the other, in the order typed. The end of stdin does not stop the cabinet, so it
  // can run in the background.
  let queue = Promise.resolve();
  createInterface({ input: process.stdin, terminal: false }).on('line', (line) => {
    queue = queue.then(() => handle(line)).catch((e: Error) => say(`error: ${e.message}`));
  });

  say(`connecting to ${url} as cabinet ${code}${customer ? ' (customer mode)' : ''}…`);
  await sim.start().catch((e: Error) => {
    if (!stopping) {
      throw e; // stopped while connecting: not an error
    }
  });
}

main().catch((e: Error) => {
  console.error(`cabinet:sim: ${e.message}`);
  process.exit(1);
});
