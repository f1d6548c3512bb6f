import type { Scenario } from '../support/scenario';
import { fileDropScenario } from './file-drop.scenario';
import { mappingScenario } from './mapping.scenario';
import { millionRowsScenario } from './million-rows.scenario';
import { naiveEndToEnd, naiveIntake } from './naive.scenario';
import { bareHttpReference, bullmqReference } from './references.scenario';
import { soapScenario } from './soap.scenario';
import { tongbanEndToEnd, tongbanIntake } from './tongban.scenario';

/**
 * The bench, in order. Scenarios of one group are set up together and their runs interleave
 * (run 1 of each, then run 2 of each…), so a Tongban figure and the reference it is divided by
 * meet the same moment of a noisy machine. Add a scenario here to plug it in.
 */
export function benchGroups(): Scenario[][] {
  return [
    [mappingScenario],
    [bareHttpReference()],
    [bullmqReference()],
    [soapScenario()],
    [fileDropScenario()],
    [tongbanIntake(), naiveIntake()],
    [tongbanEndToEnd(), naiveEndToEnd()],
    [millionRowsScenario()],
  ];
}
