import type { Provider, Type } from '@nestjs/common';
import type { GatewayRuntime } from '../../runtime/gateway-runtime';
import { RUNTIME } from '../../runtime/tokens';
import { CALLBACK_DEPARTMENTS, callbackDepartments } from './callback-departments';
import { DepartmentCallbacksController } from './department-callbacks.controller';

/** Department → Tongban status callbacks. */
export const callbackProviders: Provider[] = [
  {
    provide: CALLBACK_DEPARTMENTS,
    inject: [RUNTIME],
    useFactory: (runtime: GatewayRuntime) => callbackDepartments(runtime.config, runtime.env),
  },
];
export const callbackControllers: Type[] = [DepartmentCallbacksController];
