import type { Provider, Type } from '@nestjs/common';
import { DepartmentReportService } from './department-report.service';

/** Results back from departments: callbacks, status polling and result-file pickup. */
export const trackingProviders: Provider[] = [DepartmentReportService];
/** Served by api processes. */
export const trackingControllers: Type[] = [];
