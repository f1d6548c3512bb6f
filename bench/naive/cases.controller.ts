import { Body, Controller, Headers, HttpCode, Inject, Post, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { Repository } from 'typeorm';
import { CaseDto } from './case.dto';
import { NaiveCase } from './naive-case.entity';
import { DELIVERY_QUEUE, NAIVE_SETTINGS, type NaiveSettings } from './naive-settings';

/** POST /api/v1/cases: ValidationPipe (global) → repository.save() → queue.add(). */
@Controller('cases')
export class CasesController {
  constructor(
    @InjectRepository(NaiveCase) private readonly cases: Repository<NaiveCase>,
    @Inject(DELIVERY_QUEUE) private readonly queue: Queue,
    @Inject(NAIVE_SETTINGS) private readonly settings: NaiveSettings,
  ) {}

  @Post()
  @HttpCode(202)
  async submit(@Body() dto: CaseDto, @Headers('authorization') authorization?: string) {
    if (authorization !== `Bearer ${this.settings.apiKey}`) throw new UnauthorizedException();
    const saved = await this.cases.save(
      this.cases.create({
        externalId: dto.externalId,
        serviceCode: dto.serviceCode,
        regionCode: dto.region.code,
        applicant: { ...dto.applicant },
        form: { ...dto.form },
        acceptedBy: { ...dto.acceptedBy },
        acceptedAt: new Date(dto.acceptedAt),
      }),
    );
    await this.queue.add('deliver', { id: saved.id, case: dto }, { attempts: 5, removeOnComplete: true });
    return { id: saved.id, externalId: saved.externalId, status: saved.status };
  }
}
