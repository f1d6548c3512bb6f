import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import axios from 'axios';
import { Worker, type Job } from 'bullmq';
import { Repository } from 'typeorm';
import type { CaseDto } from './case.dto';
import { civilRequest } from './civil-request';
import { NaiveCase } from './naive-case.entity';
import { NAIVE_SETTINGS, type NaiveSettings } from './naive-settings';
import { redisOptions } from '../support/redis-options';

interface DeliverJob {
  id: string;
  case: CaseDto;
}

/** BullMQ worker → axios POST to civil affairs (defaults: no agent given) → repository.update(). */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private worker?: Worker<DeliverJob>;
  private token?: Promise<string>;

  constructor(
    @InjectRepository(NaiveCase) private readonly cases: Repository<NaiveCase>,
    @Inject(NAIVE_SETTINGS) private readonly settings: NaiveSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (this.settings.role === 'api') return;
    this.worker = new Worker<DeliverJob>(this.settings.queueName, (job) => this.deliver(job), {
      connection: redisOptions(this.settings.redisUrl),
      concurrency: this.settings.concurrency,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }

  private async deliver(job: Job<DeliverJob>): Promise<void> {
    const { id } = job.data;
    const response = await axios.post<{ application_no: string }>(
      `${this.settings.civilUrl}/api/assistance/applications`,
      civilRequest(id, job.data.case),
      { headers: { Authorization: `Bearer ${await this.accessToken()}`, 'Idempotency-Key': id } },
    );
    await this.cases.update(id, {
      status: 'DELIVERED',
      receiptRef: response.data.application_no,
      deliveredAt: new Date(),
    });
  }

  /** OAuth2 client credentials, fetched once and kept (the simulator's tokens last an hour). */
  private accessToken(): Promise<string> {
    this.token ??= axios
      .post<{ access_token: string }>(
        `${this.settings.civilUrl}/oauth/token`,
        new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
        {
          auth: { username: 'tongban', password: 'demo-secret' },
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      )
      .then((r) => r.data.access_token);
    return this.token;
  }
}
