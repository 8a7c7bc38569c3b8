import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { newId } from '@/common/ids';
import { isDuplicateKey } from '@/infrastructure/database/transaction';
import { PaymentAgreementEntity } from './entities/payment-agreement.entity';
import { PaymentProviderUnavailableError } from './errors';
import { PaymentProviders } from './payment-providers';

/**
 * Pay-after-use agreements: a citizen authorises a provider once, and later charges (a cabinet's) go through
 * without the citizen confirming each. One per citizen and provider; agreeing again answers the one there is.
 */
@Injectable()
export class AgreementsService {
  constructor(
    @InjectRepository(PaymentAgreementEntity) private readonly agreements: Repository<PaymentAgreementEntity>,
    @Inject(PaymentProviders) private readonly providers: PaymentProviders,
  ) {}

  async agree(userId: string, providerName: string): Promise<PaymentAgreementEntity> {
    const provider = this.providers.get(providerName);
    const existing = await this.agreements.findOne({ where: { userId, provider: provider.name } });
    if (existing?.status === 'ACTIVE') {
      return existing;
    }
    let agreementRef: string;
    try {
      ({ agreementRef } = await provider.createAgreement(userId));
    } catch {
      throw new PaymentProviderUnavailableError();
    }
    if (existing) {
      await this.agreements.update({ id: existing.id }, { agreementRef, status: 'ACTIVE' });
      return { ...existing, agreementRef, status: 'ACTIVE' };
    }
    const row = Object.assign(new PaymentAgreementEntity(), {
      id: newId(),
      userId,
      provider: provider.name,
      agreementRef,
      status: 'ACTIVE' as const,
      createdAt: new Date(),
    });
    try {
      await this.agreements.insert(row);
    } catch (e) {
      // Two taps at once: the other one's agreement is the answer.
      if (isDuplicateKey(e)) {
        return (await this.agreements.findOne({ where: { userId, provider: provider.name } }))!;
      }
      throw e;
    }
    return row;
  }

  /** The citizen's active agreements, oldest first. */
  activeOf(userId: string): Promise<PaymentAgreementEntity[]> {
    return this.agreements.find({ where: { userId, status: 'ACTIVE' }, order: { createdAt: 'ASC' } });
  }
}
