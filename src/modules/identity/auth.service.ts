import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { randomInt, timingSafeEqual } from 'node:crypto';
import { IsNull, MoreThan, Repository } from 'typeorm';
import { Env, ENV } from '@/config/env';
import { toClaims } from '@/common/auth/auth.guard';
import { FieldCipher } from '@/common/crypto/field-cipher';
import { newId } from '@/common/ids';
import { RedisService } from '@/infrastructure/redis/redis.module';
import { SMS_PROVIDER, SmsProvider } from '@/infrastructure/sms/sms-provider';
import { TokenView } from './dto/identity.dto';
import { OtpCodeEntity } from './entities/otp-code.entity';
import {
  AccountDisabledError,
  InvalidCodeError,
  InvalidCredentialsError,
  OtpResendTooSoonError,
} from './errors';
import { UserEntity } from './entities/user.entity';
import { UsersService } from './users.service';

@Injectable()
export class AuthService {
  constructor(
    @Inject(ENV) private readonly env: Env,
    @Inject(JwtService) private readonly jwt: JwtService,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(FieldCipher) private readonly cipher: FieldCipher,
    @Inject(RedisService) private readonly redis: RedisService,
    @Inject(SMS_PROVIDER) private readonly sms: SmsProvider,
    @InjectRepository(OtpCodeEntity) private readonly otps: Repository<OtpCodeEntity>,
  ) {}

  async login(username: string, password: string): Promise<TokenView> {
    const user = await this.users.verifyPassword(username, password);
    if (!user) {
      throw new InvalidCredentialsError();
    }
    return this.issue(user);
  }

  /** Sends a 6-digit code valid OTP_TTL_SECONDS; one request per phone every OTP_RESEND_SECONDS. */
  async requestOtp(phone: string): Promise<{ expiresIn: number; resendAfter: number }> {
    const phoneHash = this.cipher.blindIndex(phone);
    if (this.env.OTP_RESEND_SECONDS > 0) {
      const key = `${this.env.QUEUE_PREFIX}:otp:sent:${phoneHash}`;
      const set = await this.redis.client.set(key, '1', 'EX', this.env.OTP_RESEND_SECONDS, 'NX');
      if (set !== 'OK') {
        const ttl = await this.redis.client.ttl(key);
        throw new OtpResendTooSoonError(ttl);
      }
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    // A new code replaces any older one still open.
    await this.otps.update({ phoneHash, consumedAt: IsNull() }, { consumedAt: new Date() });
    await this.otps.insert({
      id: newId(),
      phoneHash,
      codeHash: this.codeHash(phone, code),
      expiresAt: new Date(Date.now() + this.env.OTP_TTL_SECONDS * 1000),
      attempts: 0,
      consumedAt: null,
    });
    const minutes = Math.round(this.env.OTP_TTL_SECONDS / 60);
    await this.sms.send(
      phone,
      `【万州消费扶贫】您的登录验证码是${code}，${minutes}分钟内有效。请勿告诉他人。`,
    );
    return { expiresIn: this.env.OTP_TTL_SECONDS, resendAfter: this.env.OTP_RESEND_SECONDS };
  }

  /** Checks a code (at most OTP_MAX_ATTEMPTS tries); a citizen account is created on first login. */
  async verifyOtp(phone: string, code: string): Promise<TokenView> {
    const phoneHash = this.cipher.blindIndex(phone);
    const otp = await this.otps.findOne({
      where: { phoneHash, consumedAt: IsNull(), expiresAt: MoreThan(new Date()) },
      order: { createdAt: 'DESC' },
    });
    if (!otp) {
      throw new InvalidCodeError();
    }
    if (otp.attempts >= this.env.OTP_MAX_ATTEMPTS) {
      throw new InvalidCodeError('Too many wrong tries; ask for a new code.');
    }
    const given = Buffer.from(this.codeHash(phone, code));
    if (!timingSafeEqual(given, Buffer.from(otp.codeHash))) {
      await this.otps.increment({ id: otp.id }, 'attempts', 1);
      const left = this.env.OTP_MAX_ATTEMPTS - otp.attempts - 1;
      throw new InvalidCodeError(
        left > 0 ? `The code is wrong; ${left} tries left.` : 'Too many wrong tries; ask for a new code.',
      );
    }
    // Consume atomically, so the same code cannot log in twice in a race.
    const done = await this.otps
      .createQueryBuilder()
      .update()
      .set({ consumedAt: new Date() })
      .where('id = :id AND consumed_at IS NULL AND attempts < :max', {
        id: otp.id,
        max: this.env.OTP_MAX_ATTEMPTS,
      })
      .execute();
    if (done.affected !== 1) {
      throw new InvalidCodeError();
    }
    const user = await this.users.citizenByPhone(phone);
    if (user.disabled) {
      throw new AccountDisabledError();
    }
    return this.issue(user);
  }

  private codeHash(phone: string, code: string): string {
    return this.cipher.blindIndex(`otp:${phone}:${code}`).toLowerCase();
  }

  private async issue(user: UserEntity): Promise<TokenView> {
    const accessToken = await this.jwt.signAsync(
      toClaims({
        id: user.id,
        username: user.username,
        roles: user.roles,
        organizationId: user.organizationId,
        hostId: user.hostId,
        supplierId: user.supplierId,
        regionCode: user.regionCode,
      }),
      { expiresIn: this.env.JWT_TTL_SECONDS, algorithm: 'HS256' },
    );
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.env.JWT_TTL_SECONDS,
      user: { id: user.id, username: user.username, roles: user.roles },
    };
  }
}
