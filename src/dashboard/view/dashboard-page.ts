import { CircuitState } from '../../delivery/circuit-breaker';
import type {
  DailySeries,
  DashboardOverview,
  DeadLetter,
  DepartmentHealth,
  MinuteBucket,
  OverdueCase,
} from '../dashboard-overview';
import { DAY_RANGES } from '../dashboard-overview';
import { dailyChart, queueDepthChart, throughputChart } from './charts';
import { localTime, percent } from './format';
import { html, type Html } from './html';

export const DASHBOARD_SCRIPT_PATH = '/admin/assets/dashboard.js';
export const DASHBOARD_STYLE_PATH = '/admin/assets/dashboard.css';
export const DASHBOARD_ICON_PATH = '/admin/assets/icon.svg';

/** The whole page; the script re-fetches it every 15 s and swaps `#live`. */
export function renderDashboardPage(o: DashboardOverview): string {
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>通办运维看板 · Tongban ops dashboard</title>
        <link rel="stylesheet" href="${DASHBOARD_STYLE_PATH}" />
        <link rel="icon" type="image/svg+xml" href="${DASHBOARD_ICON_PATH}" />
        <script src="${DASHBOARD_SCRIPT_PATH}" defer></script>
      </head>
      <body>
        <header class="top">
          <h1>通办 Tongban <small>运维看板 · Ops dashboard</small></h1>
          <nav>
            <a href="/admin/queues">队列 Bull Board</a>
            <a href="/admin/api/overview?days=${o.daily.days}">JSON</a>
          </nav>
        </header>
        <p id="flash" role="status" aria-live="polite" hidden></p>
        <main id="live" data-generated-at="${o.generatedAt}">
          <p class="meta">
            更新于 Updated
            <time datetime="${o.generatedAt}">${localTime(o.generatedAt)}</time> (${o.timeZone}) · 每 15
            秒自动刷新 refreshes every 15 s
          </p>
          ${departmentsSection(o.departments)} ${lastHourSection(o.lastHour.minutes)}
          ${deadLettersSection(o.deadLetters)} ${overdueSection(o.overdue)} ${dailySection(o.daily)}
        </main>
      </body>
    </html> `.markup;
}

function departmentsSection(departments: DepartmentHealth[]): Html {
  return html`<section id="departments">
    <h2>部门健康 Department health</h2>
    <table>
      <thead>
        <tr>
          <th>部门 Department</th>
          <th>熔断 Circuit</th>
          <th>开放 Open</th>
          <th>最近成功 Last success</th>
          <th>错误率 Error rate (1 h)</th>
          <th>队列 Queue depth</th>
          <th>死信 Dead letters</th>
        </tr>
      </thead>
      <tbody>
        ${departments.map(departmentRow)}
      </tbody>
    </table>
  </section>`;
}

function departmentRow(d: DepartmentHealth): Html {
  const jobs = Object.entries(d.queue.jobs)
    .map(([state, n]) => `${state} ${n}`)
    .join(', ');
  const { attempts, failed, errorRate } = d.lastHour;
  return html`<tr data-department="${d.code}">
    <td><strong>${d.code}</strong> ${d.name} <span class="muted">${d.adapter}</span></td>
    <td data-field="circuit" data-value="${d.circuit.state}">
      <span class="badge state-${d.circuit.state}">${d.circuit.state}</span>
      ${d.circuit.consecutiveFailures > 0 && html`<span class="muted">${d.circuit.consecutiveFailures} 次失败 failures</span>`}
      ${d.circuit.state !== CircuitState.Closed && d.circuit.nextProbeAt && html`<span class="muted">探测 probe ${localTime(d.circuit.nextProbeAt, 'HH:mm:ss')}</span>`}
    </td>
    <td data-field="open" data-value="${d.open}">
      ${d.open ? '是 yes' : html`<span class="warn">否 no</span>`}
    </td>
    <td data-field="last-success" data-value="${d.lastSuccessAt ?? ''}">
      ${d.lastSuccessAt ? localTime(d.lastSuccessAt) : '24 h 内无 none in 24 h'}
    </td>
    <td
      data-field="error-rate"
      data-value="${errorRate ?? ''}"
      data-attempts="${attempts}"
      data-failed="${failed}"
    >
      <span class="${(errorRate ?? 0) >= 0.2 ? 'warn' : ''}">${percent(errorRate)}</span>
      <span class="muted">${failed}/${attempts}</span>
    </td>
    <td data-field="depth" data-value="${d.queue.depth}" title="${jobs}">
      ${d.queue.depth} ${d.queue.paused && html`<span class="badge paused">已暂停 paused</span>`}
    </td>
    <td data-field="dead-letters" data-value="${d.deadLettered}" class="${d.deadLettered > 0 ? 'warn' : ''}">
      ${d.deadLettered}
    </td>
  </tr>`;
}

function lastHourSection(minutes: MinuteBucket[]): Html {
  return html`<section id="last-hour">
    <h2>最近一小时 Last hour</h2>
    <div class="charts">
      <figure id="throughput">
        <figcaption>
          每分钟投递 Attempts per minute
          <span class="legend"
            ><i class="seg-delivered"></i>送达 delivered <i class="seg-failed"></i>失败 failed
            <i class="seg-rejected"></i>拒收 rejected</span
          >
        </figcaption>
        ${throughputChart(minutes)}
      </figure>
      <figure id="queue-depth">
        <figcaption>
          队列积压 Queue depth <span class="muted">(每分钟采样 sampled each minute)</span>
        </figcaption>
        ${queueDepthChart(minutes)}
      </figure>
    </div>
  </section>`;
}

function deadLettersSection({ total, items }: { total: number; items: DeadLetter[] }): Html {
  return html`<section id="dead-letters" data-total="${total}">
    <h2>死信 Dead letters <span class="count">${total}</span></h2>
    ${
      items.length === 0
        ? html`<p class="empty">没有死信 No dead letters.</p>`
        : html`${total > items.length && html`<p class="muted">最新 ${items.length} 条 Newest ${items.length} shown.</p>`}
            <table>
              <thead>
                <tr>
                  <th>投递 Delivery</th>
                  <th>部门 Department</th>
                  <th>事项 Service</th>
                  <th>尝试 Attempts</th>
                  <th>最后错误 Last error</th>
                  <th>时间 Since</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                ${items.map(
                  (d) =>
                    html`<tr data-delivery="${d.id}">
                      <td class="id" title="案件 case ${d.caseId}">${d.id}</td>
                      <td>${d.department}</td>
                      <td>${d.serviceCode}</td>
                      <td>
                        ${d.attempts}${d.replays > 0 && html` <span class="muted">(重放 replayed ${d.replays}×)</span>`}
                      </td>
                      <td class="error">${d.lastError ?? '—'}</td>
                      <td>${localTime(d.since)}</td>
                      <td><button type="button" class="replay" data-replay="${d.id}">重放 Replay</button></td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
  </section>`;
}

function overdueSection({ total, items }: { total: number; items: OverdueCase[] }): Html {
  return html`<section id="overdue" data-total="${total}">
    <h2>超期办件 Overdue cases <span class="count">${total}</span></h2>
    ${
      items.length === 0
        ? html`<p class="empty">没有超期办件 No overdue cases.</p>`
        : html`${total > items.length && html`<p class="muted">最新 ${items.length} 条 Newest ${items.length} shown.</p>`}
            <table>
              <thead>
                <tr>
                  <th>办件 Case</th>
                  <th>来源编号 External id</th>
                  <th>事项 Service</th>
                  <th>区划 Region</th>
                  <th>申请人 Applicant</th>
                  <th>状态 Status</th>
                  <th>期限 Due</th>
                  <th>超期 Overdue since</th>
                  <th>受理 Received</th>
                </tr>
              </thead>
              <tbody>
                ${items.map(
                  (c) =>
                    html`<tr data-case="${c.id}">
                      <td class="id">${c.id}</td>
                      <td>${c.source} · ${c.externalId}</td>
                      <td>${c.serviceCode}</td>
                      <td>${c.regionCode}</td>
                      <td data-field="applicant">${c.applicant.name ?? '—'} ${c.applicant.idNumber ?? ''}</td>
                      <td>${c.status}</td>
                      <td>${localTime(c.dueAt)}</td>
                      <td>${localTime(c.overdueAt)}</td>
                      <td>${localTime(c.createdAt)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
  </section>`;
}

function dailySection(daily: DailySeries): Html {
  return html`<section id="daily" data-days="${daily.days}">
    <h2>
      每日办件量与按时办结率 Daily volume and on-time rate
      <span class="range"
        >${DAY_RANGES.map((days) =>
          days === daily.days
            ? html`<strong>${days} 天 days</strong>`
            : html`<a href="?days=${days}">${days} 天 days</a>`,
        )}</span
      >
    </h2>
    <p class="legend">
      <i class="volume"></i>办件量 deliveries created (left axis) <i class="rate"></i>按时办结率 on-time rate
      (right axis)
    </p>
    <div class="charts">
      ${daily.departments.map((d) => {
        const volume = d.points.reduce((n, p) => n + p.volume, 0);
        const eligible = d.points.reduce((n, p) => n + p.eligible, 0);
        const onTime = d.points.reduce((n, p) => n + p.onTime, 0);
        return html`<figure class="daily" data-department="${d.code}">
          <figcaption>
            <strong>${d.code}</strong> ${d.name} — 合计 total ${volume} · 按时 on time
            ${percent(eligible > 0 ? onTime / eligible : null)}
          </figcaption>
          ${dailyChart(d.code, d.points)}
        </figure>`;
      })}
    </div>
  </section>`;
}
