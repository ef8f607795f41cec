/**
 * A long-lived fuzzing worker (started by bench/fuzz.mjs with --max-old-space-size): runs the
 * built CLI's `main` in this process, one command at a time, as asked over IPC, and answers with
 * the exit code the CLI set, its peak RSS so far (getrusage maxrss), the time taken and the start
 * of what it wrote to stderr. Running in one process saves Node's start-up (~0.4 s) per run; the
 * parent kills and replaces the worker after a hang, a crash, or once its peak RSS is high (so
 * each run's memory is measured from a fresh-ish process).
 */
import { pathToFileURL } from 'node:url';

// The parent gives a snapshot of dist/ (so rebuilding dist/ during a long run changes nothing).
const { main } = await import(
  process.env.PILOT_EVAL_FUZZ_MAIN ? pathToFileURL(process.env.PILOT_EVAL_FUZZ_MAIN).href : '../dist/cli/main.js'
);

let stderr = '';
const capture = (chunk) => {
  if (stderr.length < 3000) stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return true;
};
process.stderr.write = (chunk, enc, cb) => {
  capture(chunk);
  if (typeof enc === 'function') enc();
  else if (typeof cb === 'function') cb();
  return true;
};
process.stdout.write = (chunk, enc, cb) => {
  if (typeof enc === 'function') enc();
  else if (typeof cb === 'function') cb();
  return true;
};
process.stdout.setMaxListeners(0);
process.stderr.setMaxListeners(0);

const crash = (why) => (err) => {
  // An error nothing caught: the CLI would die with exit 1 (or a raw stack). Report it and stop.
  const text = `${why}: ${err && err.stack ? err.stack : String(err)}`;
  process.send(
    { type: 'crash', stderr: `${stderr}\n${text}`.slice(0, 4000), maxRssKb: process.resourceUsage().maxRSS },
    () => process.exit(70),
  );
};
process.on('uncaughtException', crash('uncaught exception'));
process.on('unhandledRejection', crash('unhandled rejection'));

process.on('message', async (m) => {
  if (m.type !== 'run') return;
  stderr = '';
  process.exitCode = undefined;
  const before = process.resourceUsage().maxRSS;
  const start = process.hrtime.bigint();
  let code;
  try {
    process.chdir(m.cwd);
    await main(['node', 'pilot-eval', ...m.args]);
    code = process.exitCode ?? 0;
  } catch (err) {
    code = 1;
    capture(`main threw: ${err && err.stack ? err.stack : String(err)}`);
  }
  process.exitCode = undefined;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const after = process.resourceUsage().maxRSS;
  process.send({
    type: 'done',
    id: m.id,
    code,
    seconds,
    maxRssBeforeKb: before,
    maxRssKb: after,
    rssNowKb: Math.round(process.memoryUsage().rss / 1024),
    stderr,
  });
});
process.send({ type: 'ready' });
