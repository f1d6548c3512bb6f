import { Injectable } from '@nestjs/common';
import { Adapter } from '../sdk/adapter.decorator';
import type { AdapterContext, AdapterFactory } from '../sdk/adapter-factory';
import type { DepartmentAdapter } from '../sdk/department-adapter';
import { RestAdapterOptions, restOptionProblems } from './rest-adapter.options';
import { RestAdapter } from './rest-department-adapter';

/** `adapter.type: rest`: JSON (or XML) over HTTP(S) with none/basic/bearer/OAuth2/HMAC auth. */
@Injectable()
@Adapter('rest')
export class RestAdapterFactory implements AdapterFactory<RestAdapterOptions> {
  readonly optionsClass = RestAdapterOptions;

  create(context: AdapterContext<RestAdapterOptions>): DepartmentAdapter {
    const problems = restOptionProblems(context.options);
    if (problems.length > 0)
      throw new Error(`department ${context.department.code}: invalid rest options: ${problems.join('; ')}`);
    return new RestAdapter(context);
  }
}
