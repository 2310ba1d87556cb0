/** One iteration in detail: how it went, its diff, the verification's tail, the tester's verdict and findings. */
import type { IterationFacts } from '../../journal/fold/facts.js';
import type { JournalFold } from '../../journal/fold/fold.js';
import { duration, shortSha, tail, tokens } from './format.js';
import { useApi } from './hooks.js';

interface IterationAnswer {
  iteration: IterationFacts;
  diff?: { what: string; text: string; truncated: boolean };
}

const TAIL_LINES = 40;

function Summary(props: { it: IterationFacts }) {
  const { it } = props;
  return (
    <dl class="facts">
      <dt>task</dt>
      <dd>
        {it.task?.text ?? '(unknown)'} {it.task?.phase ? <span class="muted">[{it.task.phase}]</span> : null}
      </dd>
      <dt>status</dt>
      <dd>
        <span class={`badge ${it.ended ? (it.status ?? '') : 'running'}`}>{it.ended ? it.status : 'running'}</span>{' '}
        {it.reason ?? it.step}
      </dd>
      <dt>time, tokens</dt>
      <dd>
        {it.durationMs !== null ? duration(it.durationMs) : '…'}, {tokens(it.usage.input + it.usage.output)} tokens,{' '}
        {it.turns.length} turns
      </dd>
      <Guardrails it={it} />
      <dt>commit</dt>
      <dd>
        {it.commit
          ? `${shortSha(it.commit.sha)} ${it.commit.message ?? ''}`
          : it.rescue
            ? `work kept in ${it.rescue.ref}`
            : 'none'}
      </dd>
    </dl>
  );
}

/** What the guardrails refused or put back in this iteration; nothing when they had nothing to do. */
function Guardrails(props: { it: IterationFacts }) {
  const g = props.it.guardrails;
  if (g.blocked + g.warned + g.restored + g.reported === 0) return null;
  const counts = [
    g.blocked ? `${g.blocked} blocked` : '',
    g.warned ? `${g.warned} warned` : '',
    g.restored ? `${g.restored} put back` : '',
    g.reported ? `${g.reported} reported` : '',
  ].filter(Boolean);
  return (
    <>
      <dt>guardrails</dt>
      <dd data-testid="guardrails">
        {counts.join(', ')}
        {Object.keys(g.byRule).length > 0 ? (
          <span class="muted">
            {' '}
            (
            {Object.entries(g.byRule)
              .map(([rule, n]) => `${rule} ×${n}`)
              .join(', ')}
            )
          </span>
        ) : null}
        {g.changes.length > 0 ? (
          <ul class="notes">
            {g.changes.map((change) => (
              <li key={change}>{change}</li>
            ))}
          </ul>
        ) : null}
      </dd>
    </>
  );
}

function Review(props: { it: IterationFacts }) {
  const { it } = props;
  const verification = it.lastVerification;
  return (
    <>
      <h3>Verification: {it.verification}</h3>
      {verification ? (
        <pre class="output" data-testid="verification-tail">
          {`$ ${verification.command}\n${tail(verification.output, TAIL_LINES) || '(no output)'}`}
        </pre>
      ) : null}
      <h3>
        Tester: <span class={`badge verdict-${it.verdict}`}>{it.verdict}</span>
        {it.verdicts.length > 1 ? <span class="muted"> ({it.verdicts.join(' → ')})</span> : null}
      </h3>
      {it.lastFindings ? <pre class="output findings">{it.lastFindings}</pre> : null}
      {it.notes.length > 0 ? (
        <ul class="notes">
          {it.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

export function IterationDetail(props: { fold: JournalFold; selected: number | undefined }) {
  const { fold } = props;
  const number = props.selected ?? fold.current?.iteration ?? fold.iterations.at(-1)?.iteration;
  const known = fold.iteration(number);
  // The diff comes from git (and an old iteration from the server); asked again when the iteration moves on.
  const working = fold.turn && fold.turn.iteration === number ? fold.turn.toolCalls : '';
  const key = known ? `${known.ended}-${known.commit?.sha}-${known.rescue?.ref}-${known.turns.length}-${working}` : '';
  const { value, error } = useApi<IterationAnswer>(
    number === undefined ? undefined : `/api/iteration?n=${number}&diff=1`,
    key,
  );
  const it = known ?? value?.iteration;
  if (!it) return <p class="muted">{error ?? 'No iteration yet.'}</p>;
  return (
    <div data-testid="iteration-detail">
      <h2>Iteration {it.iteration}</h2>
      <Summary it={it} />
      <Review it={it} />
      <h3>Diff{value?.diff ? `: ${value.diff.what}` : ''}</h3>
      <pre class="output diff" data-testid="diff">
        {value?.diff ? value.diff.text || '(empty)' : error ? error : 'loading…'}
        {value?.diff?.truncated ? '\n… (cut: too long to show)' : ''}
      </pre>
    </div>
  );
}
