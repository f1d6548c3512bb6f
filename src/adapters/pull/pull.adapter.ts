import { Injectable } from '@nestjs/common';
import { PersonalDataCipher } from '../../common/crypto/personal-data-cipher';
import { Adapter } from '../sdk/adapter.decorator';
import type { AdapterContext, AdapterFactory } from '../sdk/adapter-factory';
import type { DepartmentAdapter } from '../sdk/department-adapter';
import { PullAdapterOptions } from './pull-adapter.options';
import { PullOfferStore } from './pull-offer-store';

/**
 * For departments that refuse inbound connections (as in AS4's pull mode): `deliver` stores the
 * mapped message, encrypted, as an offer; the department fetches offers from
 * GET /api/v1/departments/{code}/outbox and acknowledges each one.
 */
@Injectable()
@Adapter('pull')
export class PullAdapterFactory implements AdapterFactory<PullAdapterOptions> {
  readonly optionsClass = PullAdapterOptions;

  constructor(
    private readonly offers: PullOfferStore,
    private readonly cipher: PersonalDataCipher,
  ) {}

  create({ department }: AdapterContext<PullAdapterOptions>): DepartmentAdapter {
    return {
      deliver: async ({ deliveryId, message }) => {
        const bytes = Buffer.from(JSON.stringify(message ?? null), 'utf8');
        await this.offers.offer(deliveryId, department.code, this.cipher.encrypt(bytes.toString('utf8')));
        return { kind: 'queued', awaiting: 'pickup', exchange: { sent: bytes } };
      },
      // The department comes to us: as long as the gateway runs, it can pull.
      healthCheck: async () => ({ ok: true }),
      close: async () => undefined,
    };
  }
}
