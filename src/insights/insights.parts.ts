import type { Provider, Type } from '@nestjs/common';
import { CaseIntakeService } from '../gateway/intake/case-intake.service';
import type { GatewayRuntime } from '../runtime/gateway-runtime';
import { RUNTIME } from '../runtime/tokens';
import { AuditController } from './audit/audit.controller';
import { AuditLogStore } from './audit/audit-log.store';
import { PersonalDataAudit } from './audit/personal-data-audit';
import { CaseDeadlines } from './deadlines/case-deadlines';
import { OverdueScanner } from './overdue/overdue-scanner';
import { OverdueStore } from './overdue/overdue-store';
import { StatsRollupBuilder } from './stats/rollup/stats-rollup-builder';
import { StatsRollupDays } from './stats/rollup/stats-rollup-days';
import { StatsRollupPass } from './stats/rollup/stats-rollup-pass';
import { StatsRollupReader } from './stats/rollup/stats-rollup-reader';
import { StatsRollupRefresher } from './stats/rollup/stats-rollup-refresher';
import { StatsRollupSettings } from './stats/rollup/stats-rollup-settings';
import { StatsController } from './stats/stats.controller';
import { StatsStore } from './stats/stats-store';
import { StatsService } from './stats/stats.service';

/** Hands intake its due-time calculator (intake is built in app.module; this keeps the wiring here). */
const DEADLINES_AT_INTAKE = Symbol('tongban.deadlines-at-intake');

/** Deadlines, statistics and the audit of personal-data reads. */
export const insightProviders: Provider[] = [
  AuditLogStore,
  PersonalDataAudit,
  {
    provide: CaseDeadlines,
    inject: [RUNTIME],
    useFactory: (runtime: GatewayRuntime) => CaseDeadlines.fromConfig(runtime.config),
  },
  {
    provide: DEADLINES_AT_INTAKE,
    inject: [CaseIntakeService, CaseDeadlines],
    useFactory: (intake: CaseIntakeService, deadlines: CaseDeadlines) => {
      intake.useDeadlines(deadlines);
      return true;
    },
  },
  OverdueStore,
  OverdueScanner,
  StatsStore,
  { provide: StatsRollupSettings, useFactory: () => StatsRollupSettings.fromEnvironment() },
  StatsRollupDays,
  StatsRollupBuilder,
  StatsRollupPass,
  StatsRollupReader,
  StatsRollupRefresher,
  {
    provide: StatsService,
    inject: [StatsStore, RUNTIME, StatsRollupReader],
    useFactory: (store: StatsStore, runtime: GatewayRuntime, rollups: StatsRollupReader) =>
      new StatsService(store, runtime.regions, rollups),
  },
];
export const insightControllers: Type[] = [AuditController, StatsController];
