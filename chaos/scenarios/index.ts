import type { Scenario } from '../support/scenario';
import { ambiguousTimeouts } from './ambiguous-timeouts';
import { crashStorm } from './crash-storm';
import { departmentOutage } from './department-outage';
import { hostileInput } from './hostile-input';
import { hostileResponses } from './hostile-responses';
import { overnightBacklog } from './overnight-backlog';
import { personalDataScan } from './personal-data-scan';
import { redisFlush } from './redis-flush';

/** In order: the personal-data scan runs last and reads what the others left behind. */
export const SCENARIOS: Scenario[] = [
  crashStorm,
  redisFlush,
  departmentOutage,
  ambiguousTimeouts,
  overnightBacklog,
  hostileInput,
  hostileResponses,
  personalDataScan,
];
