import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { FieldCipher } from '@/common/crypto/field-cipher';
import { newId } from '@/common/ids';
import { SmsMessageEntity } from './sms-message.entity';
import { SmsProvider } from './sms-provider';

export interface StoredSms {
  phone: string;
  text: string;
  sentAt: string;
}

/**
 * The development provider: keeps each message in the database (never in the logs, since texts carry
 * login codes) and serves them at GET /dev/sms.
 */
@Injectable()
export class LogSmsProvider implements SmsProvider {
  readonly name = 'log';

  constructor(
    @InjectRepository(SmsMessageEntity) private readonly repo: Repository<SmsMessageEntity>,
    @Inject(FieldCipher) private readonly cipher: FieldCipher,
  ) {}

  async send(phone: string, text: string): Promise<void> {
    await this.repo.insert({
      id: newId(),
      phoneHash: this.cipher.blindIndex(phone),
      phoneEnc: this.cipher.encrypt(phone),
      text,
    });
  }

  /** Messages sent to `phone`, newest first. */
  async list(phone: string, limit = 50): Promise<StoredSms[]> {
    const rows = await this.repo.find({
      where: { phoneHash: this.cipher.blindIndex(phone) },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
    });
    return rows.map((r) => ({
      phone: this.cipher.decrypt(r.phoneEnc),
      text: r.text,
      sentAt: r.createdAt.toISOString(),
    }));
  }
}
