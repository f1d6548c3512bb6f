import { Logger } from '@nestjs/common';
import { maskPhone } from '../common/masking';
import type { ResidentNotice, ResidentNotifier } from './resident-notifier';

/** Writes the notice to the log (demo, or until an SMS gateway is plugged in); the phone is masked. */
export class LogResidentNotifier implements ResidentNotifier {
  private readonly logger = new Logger('ResidentNotice');

  async notify(notice: ResidentNotice): Promise<void> {
    this.logger.log({
      msg: `notice to resident ${maskPhone(notice.phone)}: case ${notice.caseId} is ${notice.status}`,
      eventId: notice.eventId,
      source: notice.source,
      caseId: notice.caseId,
      phone: maskPhone(notice.phone),
      serviceCode: notice.serviceCode,
      status: notice.status,
      results: notice.results,
    });
  }
}
