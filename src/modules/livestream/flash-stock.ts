import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Env, ENV } from '@/config/env';
import { RedisService } from '@/infrastructure/redis/redis.module';
import { LiveRepository } from './live.repository';
import { StockBusyError } from './errors';

/**
 * Take `q` units for a buyer, atomically, or say why not. KEYS: meta hash, free sorted set, rebuild marker.
 * ARGV: q, per-buyer limit (0: none), buyer id. Answers {0, unit...} | {-1} missing or inconsistent (rebuild
 * first) | {-2, held} over the limit | {-3, free} not enough left. A missing key is never read as a count:
 * the meta hash says how many units are free, and a free set that disagrees sends the caller to rebuild.
 */
export const TAKE = `
if redis.call('HEXISTS', KEYS[1], 'ready') == 0 then return {-1} end
local free = tonumber(redis.call('HGET', KEYS[1], 'free'))
if free == nil or redis.call('ZCARD', KEYS[2]) ~= free then return {-1} end
local q = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local bkey = 'b:' .. ARGV[3]
if limit > 0 then
  local held = tonumber(redis.call('HGET', KEYS[1], bkey) or '0')
  if held + q > limit then return {-2, held} end
end
if free < q then return {-3, free} end
local popped = redis.call('ZPOPMIN', KEYS[2], q)
local out = {0}
for i = 1, #popped, 2 do out[#out + 1] = tonumber(popped[i]) end
redis.call('HSET', KEYS[1], 'free', free - q)
if limit > 0 then redis.call('HINCRBY', KEYS[1], bkey, q) end
return out
`;

/**
 * Give units back (an order that failed to write, or a cancelled one). KEYS as TAKE. ARGV: buyer id, limit,
 * unit.... While the keys are missing (a rebuild under way, or Redis lost them) nothing is added and the
 * rebuild marker is dropped, so a rebuild that read the database before this change reads it again.
 * Answers the number of units added.
 */
const GIVE_BACK = `
if redis.call('HEXISTS', KEYS[1], 'ready') == 0 then
  redis.call('DEL', KEYS[3])
  return -1
end
local added = 0
for i = 3, #ARGV do added = added + redis.call('ZADD', KEYS[2], 'NX', ARGV[i], ARGV[i]) end
redis.call('HINCRBY', KEYS[1], 'free', added)
if tonumber(ARGV[2]) > 0 then
  local bkey = 'b:' .. ARGV[1]
  local held = tonumber(redis.call('HGET', KEYS[1], bkey) or '0') - (#ARGV - 2)
  if held > 0 then redis.call('HSET', KEYS[1], bkey, held) else redis.call('HDEL', KEYS[1], bkey) end
end
return added
`;

/**
 * Install a rebuilt state, unless something changed since the database was read (the marker is gone or
 * another rebuild's). KEYS as TAKE. ARGV: marker token, free count, buyer fields count, then buyer id and
 * held pairs, then the free unit numbers. Answers 1 when installed, 0 when the caller must read again.
 */
const INSTALL = `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
local nb = tonumber(ARGV[3])
local i = 4
local fields = {}
for _ = 1, nb do
  fields[#fields + 1] = 'b:' .. ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
  i = i + 2
  if #fields >= 2000 then redis.call('HSET', KEYS[1], unpack(fields)); fields = {} end
end
if #fields > 0 then redis.call('HSET', KEYS[1], unpack(fields)) end
redis.call('HSET', KEYS[1], 'ready', '1', 'free', ARGV[2])
local batch = {}
for j = i, #ARGV do
  batch[#batch + 1] = ARGV[j]
  batch[#batch + 1] = ARGV[j]
  if #batch >= 2000 then redis.call('ZADD', KEYS[2], unpack(batch)); batch = {} end
end
if #batch > 0 then redis.call('ZADD', KEYS[2], unpack(batch)) end
return 1
`;

/**
 * Whether the offer's keys can be sold from: present and agreeing. Keys that disagree (the free set lost, the
 * hash kept) are dropped, so the caller rebuilds them. KEYS as TAKE. Answers 1 or 0.
 */
const CHECK = `
if redis.call('HEXISTS', KEYS[1], 'ready') == 0 then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'free')) ~= redis.call('ZCARD', KEYS[2]) then
  redis.call('DEL', KEYS[1])
  return 0
end
return 1
`;

type FlashRedis = Redis & {
  liveCheck(meta: string, free: string, marker: string): Promise<number>;
  liveTake(meta: string, free: string, marker: string, ...argv: (string | number)[]): Promise<number[]>;
  liveGiveBack(meta: string, free: string, marker: string, ...argv: (string | number)[]): Promise<number>;
  liveInstall(meta: string, free: string, marker: string, ...argv: (string | number)[]): Promise<number>;
};

const defined = new WeakSet<Redis>();

/** The offer facts the flash stock needs. */
export interface FlashOffer {
  id: string;
  perBuyerLimit: number | null;
}

export type TakeResult =
  | { ok: true; units: number[] }
  | { ok: false; reason: 'closed' }
  | { ok: false; reason: 'sold-out'; left: number }
  | { ok: false; reason: 'limit'; held: number };

/** How long a rebuild waits for another copy's rebuild before doing it itself. */
const REBUILD_WAIT_MS = 3_000;

/**
 * An offer's flash-sale stock in Redis: its free unit numbers in a sorted set and, in a hash, how many are
 * free and how many each buyer holds. One Lua script takes units and checks the per-buyer limit atomically,
 * so a rush of buyers costs Redis one call each and MySQL sees only the winners. Redis is a cache of MySQL:
 * when its keys are missing or disagree (a restart, a failover, a flush) the offer is rebuilt from MySQL (the
 * units no order holds) before the next sale; MySQL's unit rows stay the guard of every sale.
 */
@Injectable()
export class FlashStock {
  private readonly logger = new Logger(FlashStock.name);
  private readonly redis: FlashRedis;

  constructor(
    @Inject(RedisService) redisService: RedisService,
    @Inject(ENV) private readonly env: Env,
    @Inject(LiveRepository) private readonly repo: LiveRepository,
  ) {
    const client = redisService.client;
    if (!defined.has(client)) {
      // Sent by EVALSHA, falling back to EVAL once when Redis does not know the script (after a restart).
      client.defineCommand('liveCheck', { numberOfKeys: 3, lua: CHECK });
      client.defineCommand('liveTake', { numberOfKeys: 3, lua: TAKE });
      client.defineCommand('liveGiveBack', { numberOfKeys: 3, lua: GIVE_BACK });
      client.defineCommand('liveInstall', { numberOfKeys: 3, lua: INSTALL });
      defined.add(client);
    }
    this.redis = client as FlashRedis;
  }

  /** The offer's keys; the hash tag keeps them in one Redis Cluster slot. */
  keys(offerId: string): [meta: string, free: string, marker: string] {
    const base = `${this.env.QUEUE_PREFIX}:live:{${offerId}}`;
    return [`${base}:meta`, `${base}:free`, `${base}:rebuild`];
  }

  /** Takes `quantity` units for the buyer; rebuilds the offer's keys first when they are missing. */
  async take(offer: FlashOffer, buyerUserId: string, quantity: number): Promise<TakeResult> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await this.redis.liveTake(
        ...this.keys(offer.id),
        quantity,
        offer.perBuyerLimit ?? 0,
        buyerUserId,
      );
      if (r[0] === 0) {
        return { ok: true, units: r.slice(1) };
      }
      if (r[0] === -2) {
        return { ok: false, reason: 'limit', held: r[1] };
      }
      if (r[0] === -3) {
        return { ok: false, reason: 'sold-out', left: r[1] };
      }
      if (!(await this.rebuild(offer.id))) {
        return { ok: false, reason: 'closed' };
      }
    }
    throw new StockBusyError();
  }

  /** Puts units back (their order was not written, or was cancelled). */
  async giveBack(offer: FlashOffer, buyerUserId: string, units: readonly number[]): Promise<void> {
    if (!units.length) {
      return;
    }
    await this.redis.liveGiveBack(...this.keys(offer.id), buyerUserId, offer.perBuyerLimit ?? 0, ...units);
  }

  /** Forgets the offer's keys: the next sale rebuilds them from MySQL (after MySQL refused a unit). */
  async invalidate(offerId: string): Promise<void> {
    await this.redis.del(...this.keys(offerId));
  }

  /**
   * Rebuilds the offer's keys from MySQL: free = units 1..stock that no order holds, each buyer's held units
   * from the limit's guard rows. One copy rebuilds at a time; the others wait for it. A change made while
   * the database was being read (a unit given back) makes the rebuild read again. An offer not on sale is
   * left without keys (its sales are refused by the session's status): false then.
   */
  async rebuild(offerId: string): Promise<boolean> {
    const [meta, free, marker] = this.keys(offerId);
    const deadline = Date.now() + REBUILD_WAIT_MS;
    while (Date.now() < deadline) {
      if ((await this.redis.liveCheck(meta, free, marker)) === 1) {
        return true;
      }
      const token = randomUUID();
      // Only one rebuilder at a time; the marker also expires if its holder dies.
      if ((await this.redis.set(marker, token, 'PX', REBUILD_WAIT_MS, 'NX')) !== 'OK') {
        await new Promise((r) => setTimeout(r, 15));
        continue;
      }
      const state = await this.repo.flashState(offerId);
      if (!state) {
        await this.redis.del(marker);
        return false;
      }
      const held = new Set(state.heldUnits);
      const freeUnits: number[] = [];
      for (let u = 1; u <= state.stock; u++) {
        if (!held.has(u)) {
          freeUnits.push(u);
        }
      }
      const installed = await this.redis.liveInstall(
        meta,
        free,
        marker,
        token,
        freeUnits.length,
        state.buyers.length,
        ...state.buyers.flatMap((b) => [b.buyerUserId, b.held]),
        ...freeUnits,
      );
      if (installed === 1) {
        this.logger.log({ offerId, free: freeUnits.length }, 'flash-sale stock rebuilt from the database');
        return true;
      }
    }
    throw new StockBusyError();
  }

  /** Removes the offer's keys when its session ends. */
  async drop(offerId: string): Promise<void> {
    await this.redis.del(...this.keys(offerId));
  }
}
