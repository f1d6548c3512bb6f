import type { RouteConfig } from '../config/model/route-config';
import type { TongbanConfig } from '../config/tongban-config';

export interface RoutedTarget {
  department: string;
  mapping: string | null;
}

/** Service code (and region) → the departments that must receive the case. */
export class CaseRouter {
  constructor(private readonly routes: ReadonlyMap<string, RouteConfig>) {}

  static fromConfig(config: TongbanConfig): CaseRouter {
    return new CaseRouter(config.routes);
  }

  /** Empty when no route exists for this service in this region. */
  route(serviceCode: string, regionCode: string): RoutedTarget[] {
    const route = this.routes.get(serviceCode);
    if (!route) return [];
    const matching = route.targets.filter(
      (t) => !t.regions || t.regions.some((prefix) => regionCode.startsWith(prefix)),
    );
    const chosen = route.mode === 'parallel' ? matching : matching.slice(0, 1);
    const seen = new Set<string>();
    return chosen
      .filter((t) => !seen.has(t.department) && seen.add(t.department))
      .map((t) => ({ department: t.department, mapping: t.mapping ?? null }));
  }
}
